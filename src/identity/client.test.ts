// Client identity, plans and the client IP behind trusted proxies (pure functions).
import { ANONYMOUS, type Principal } from './principal';
import { clientIdentity } from './client';
import { clientKeyPrefix } from '../policy/ratelimit/decide';
import { clientIpOf, compileTrustedProxies, isAddressOrRange, normalizeAddress } from './clientIp';

const plans = { anonymousPlan: 'anonymous', defaultPlan: 'free' };
const jwt = (over: Partial<Principal> = {}): Principal => ({ kind: 'jwt', key: 'k', authenticated: true, subject: 'u1', scopes: new Set(), claims: {}, ...over });

describe('clientIdentity', () => {
  it('uses the IP and the anonymous plan for anonymous callers', () => {
    expect(clientIdentity(ANONYMOUS, '10.0.0.7', plans)).toEqual({ id: 'ip:10.0.0.7', plan: 'anonymous' });
  });

  it('uses the JWT subject and the plan claim, else the default plan', () => {
    expect(clientIdentity(jwt({ plan: 'pro' }), '1.1.1.1', plans)).toEqual({ id: 'sub:u1', plan: 'pro' });
    expect(clientIdentity(jwt(), '1.1.1.1', plans)).toEqual({ id: 'sub:u1', plan: 'free' });
    expect(clientIdentity(jwt({ subject: undefined, client: 'app' }), '1.1.1.1', plans)).toEqual({ id: 'client:app', plan: 'free' });
    expect(clientIdentity(jwt({ subject: undefined }), '1.1.1.1', plans)).toEqual({ id: 'ip:1.1.1.1', plan: 'free' });
  });

  it('counts callers identified by IP per network: IPv6 per /64, IPv4 per address, unless configured', () => {
    const anonymous = (ip: string, over = {}) => clientIdentity(ANONYMOUS, ip, { ...plans, ...over }).id;
    expect(anonymous('2001:db8:1:2::1')).toBe('ip:2001:db8:1:2::/64');
    expect(anonymous('2001:DB8:1:2:ffff:0:0:9')).toBe('ip:2001:db8:1:2::/64');
    expect(anonymous('2001:db8:1:3::1')).toBe('ip:2001:db8:1:3::/64');
    expect(anonymous('::ffff:10.0.0.7')).toBe('ip:10.0.0.7');
    expect(anonymous('10.0.0.7', { ipv4Prefix: 24 })).toBe('ip:10.0.0.0/24');
    expect(anonymous('2001:db8:1:2::1', { ipv6Prefix: 48 })).toBe('ip:2001:db8:1::/48');
    expect(anonymous('2001:db8:1:2::1', { ipv6Prefix: 128 })).toBe('ip:2001:db8:1:2::1');
    expect(anonymous('unknown')).toBe('ip:unknown');
    expect(anonymous('garbage')).toBe('ip:unknown');
    // Signed in but neither subject nor client: counted by network as well.
    expect(clientIdentity(jwt({ subject: undefined }), '2001:db8::5', plans).id).toBe('ip:2001:db8::/64');
  });

  it('never gives two kinds of identity the same id or store key, whatever a name contains', () => {
    const ip = '2001:db8::/64';
    const apiKey = (client: string): Principal => ({ kind: 'apiKey', key: 'apikey:x', authenticated: true, subject: client, client, scopes: new Set(), claims: {} });
    const ids = [
      clientIdentity(ANONYMOUS, '2001:db8::1', plans).id,
      clientIdentity(ANONYMOUS, '10.0.0.7', plans).id,
      clientIdentity(ANONYMOUS, 'garbage', plans).id,
      ...[ip, `ip:${ip}`, '10.0.0.7', 'ip:10.0.0.7', 'unknown', 'ip:unknown', '}', '{ip:10.0.0.7}'].flatMap((name) => [
        clientIdentity(jwt({ subject: name }), '10.0.0.7', plans).id,
        clientIdentity(jwt({ subject: undefined, client: name }), '10.0.0.7', plans).id,
        clientIdentity(apiKey(name), '10.0.0.7', plans).id,
      ]),
    ];
    // Three kinds × eight names, some the same across JWT client and API key client (one kind: "client:").
    const distinct = new Set(ids);
    expect(distinct.size).toBe(3 + 8 * 2);
    expect(new Set([...distinct].map((id) => clientKeyPrefix('tg:', id))).size).toBe(distinct.size);
    for (const id of distinct) expect(['ip', 'sub', 'client']).toContain(id.slice(0, id.indexOf(':')));
  });

  it('uses the API key client and its plan', () => {
    const key: Principal = { kind: 'apiKey', key: 'apikey:x', authenticated: true, subject: 'partner', client: 'partner', plan: 'pro', scopes: new Set(), claims: {} };
    expect(clientIdentity(key, '1.1.1.1', plans)).toEqual({ id: 'client:partner', plan: 'pro' });
  });
});

describe('clientIpOf', () => {
  const trusted = compileTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientIpOf('203.0.113.9', '1.2.3.4', trusted)).toBe('203.0.113.9');
    expect(clientIpOf('203.0.113.9', undefined, compileTrustedProxies([]))).toBe('203.0.113.9');
  });

  it('takes the nearest untrusted hop behind trusted proxies, right to left', () => {
    expect(clientIpOf('127.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    // The client forged "6.6.6.6"; the first proxy appended the real address, the second one the first proxy.
    expect(clientIpOf('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3', trusted)).toBe('198.51.100.1');
    expect(clientIpOf('127.0.0.1', ['6.6.6.6', '198.51.100.1'], trusted)).toBe('198.51.100.1');
  });

  it('stops at garbage and falls back to the last vouched-for address', () => {
    expect(clientIpOf('127.0.0.1', 'not-an-ip', trusted)).toBe('127.0.0.1');
    expect(clientIpOf('::ffff:127.0.0.1', 'x, 10.0.0.5', trusted)).toBe('10.0.0.5');
  });

  it('handles IPv6 and mapped IPv4', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress(' ::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('0:0:0:0:0:ffff:a00:1')).toBe('10.0.0.1');
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(normalizeAddress('::ffff:garbage')).toBe('::ffff:garbage');
    expect(clientIpOf('127.0.0.1', '198.51.100.1, ::FFFF:10.0.0.9', trusted)).toBe('198.51.100.1');
    expect(clientIpOf('fd00::1', '2001:db8::5', trusted)).toBe('2001:db8::5');
    expect(clientIpOf(undefined, undefined, trusted)).toBe('unknown');
  });

  it('validates config entries', () => {
    expect(isAddressOrRange('10.0.0.0/8')).toBe(true);
    expect(isAddressOrRange('::1')).toBe(true);
    expect(isAddressOrRange('10.0.0.0/33')).toBe(false);
    expect(isAddressOrRange('proxy.local')).toBe(false);
  });
});
