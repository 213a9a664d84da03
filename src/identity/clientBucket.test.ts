// The bucket an anonymous caller is counted in: one canonical key per network, every spelling of an address
// folded into it, anything that is not an address into one fixed bucket. Checked against node:net and WHATWG
// URL as oracles over random addresses.
import { BlockList, isIP } from 'node:net';
import { clientBucketOf, parseAddress, UNKNOWN_BUCKET } from './clientBucket';

const defaults = { ipv4: 32, ipv6: 64 };

describe('clientBucketOf', () => {
  it.each([
    // IPv4: per address by default
    ['198.51.100.7', defaults, '198.51.100.7'],
    [' 198.51.100.7 ', defaults, '198.51.100.7'],
    ['198.51.100.7', { ipv4: 24, ipv6: 64 }, '198.51.100.0/24'],
    ['198.51.100.7', { ipv4: 0, ipv6: 64 }, '0.0.0.0/0'],
    ['198.51.100.255', { ipv4: 31, ipv6: 64 }, '198.51.100.254/31'],
    // IPv4-mapped IPv6, in every spelling, is the IPv4 address
    ['::ffff:198.51.100.7', defaults, '198.51.100.7'],
    ['::FFFF:198.51.100.7', defaults, '198.51.100.7'],
    ['0:0:0:0:0:ffff:198.51.100.7', defaults, '198.51.100.7'],
    ['::ffff:c633:6407', defaults, '198.51.100.7'],
    ['0000:0000:0000:0000:0000:FFFF:C633:6407', defaults, '198.51.100.7'],
    ['::ffff:198.51.100.7', { ipv4: 24, ipv6: 64 }, '198.51.100.0/24'],
    // IPv6: per /64 by default; case, leading zeros, compression and zone ids don't matter
    ['2001:db8:1:2:3:4:5:6', defaults, '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:FFFF:FFFF:FFFF:FFFF', defaults, '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', defaults, '2001:db8:1:2::/64'],
    ['2001:db8:1:2::', defaults, '2001:db8:1:2::/64'],
    ['2001:db8::1', defaults, '2001:db8::/64'],
    ['2001:db8:0:0:1::1', defaults, '2001:db8::/64'],
    ['fe80::1%eth0', defaults, 'fe80::/64'],
    ['fe80::1%25', defaults, 'fe80::/64'],
    ['::', defaults, '::/64'],
    ['::1', defaults, '::/64'],
    ['::198.51.100.7', defaults, '::/64'], // IPv4-compatible (deprecated) is IPv6, not mapped
    ['64:ff9b::198.51.100.7', defaults, '64:ff9b::/64'],
    // other prefixes, including ones not on a group or byte boundary
    ['2001:db8:1:2:3:4:5:6', { ipv4: 32, ipv6: 48 }, '2001:db8:1::/48'],
    ['2001:db8:1:2:3:4:5:6', { ipv4: 32, ipv6: 56 }, '2001:db8:1::/56'],
    ['2001:db8:1:2ff:3:4:5:6', { ipv4: 32, ipv6: 56 }, '2001:db8:1:200::/56'],
    ['2001:db8:ffff::', { ipv4: 32, ipv6: 36 }, '2001:db8:f000::/36'],
    ['2001:db8:1:2:3:4:5:6', { ipv4: 32, ipv6: 0 }, '::/0'],
    ['2001:DB8::0:1', { ipv4: 32, ipv6: 128 }, '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', { ipv4: 32, ipv6: 128 }, '2001:db8::1:0:0:1'], // first of equal runs
    ['2001:db8:0:1:1:1:1:1', { ipv4: 32, ipv6: 128 }, '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    // not an address: one fixed bucket, never the text itself
    ['', defaults, UNKNOWN_BUCKET],
    ['unknown', defaults, UNKNOWN_BUCKET],
    ['not-an-ip', defaults, UNKNOWN_BUCKET],
    ['010.0.0.1', defaults, UNKNOWN_BUCKET],
    ['1.2.3.4:80', defaults, UNKNOWN_BUCKET],
    ['[2001:db8::1]', defaults, UNKNOWN_BUCKET],
    ['2001:db8::/64', defaults, UNKNOWN_BUCKET],
    ['fe80::1%', defaults, UNKNOWN_BUCKET],
  ])('%s with %j → %s', (ip, prefixes, bucket) => {
    expect(clientBucketOf(ip, prefixes)).toBe(bucket);
  });

  it('puts any amount of garbage in the one fixed bucket', () => {
    expect(clientBucketOf('x'.repeat(10_000), defaults)).toBe(UNKNOWN_BUCKET);
    expect(clientBucketOf(`fe80::1%${'z'.repeat(10_000)}`, defaults)).toBe('fe80::/64');
  });

  it('uses /32 and /64 when given no prefixes', () => {
    expect(clientBucketOf('2001:db8::1')).toBe('2001:db8::/64');
    expect(clientBucketOf('198.51.100.7')).toBe('198.51.100.7');
  });
});

describe('clientBucketOf over random addresses (node:net and WHATWG URL as oracles)', () => {
  // A small deterministic generator: the same addresses on every run.
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const word = () => (random() < 0.4 ? 0 : Math.floor(random() * 0x10000));
  /** One address, spelled at random: full, zero-padded, uppercase, or as WHATWG URL compresses it. */
  const randomIpv6 = () => {
    const words = Array.from({ length: 8 }, word);
    const full = words.map((w) => w.toString(16)).join(':');
    const spelling = random();
    if (spelling < 0.25) return { words, text: full };
    if (spelling < 0.5) return { words, text: words.map((w) => w.toString(16).padStart(4, '0')).join(':') };
    if (spelling < 0.75) return { words, text: full.toUpperCase() };
    return { words, text: new URL(`http://[${full}]/`).hostname.slice(1, -1) };
  };

  it('puts every address inside its bucket, and its bucket in canonical form', () => {
    for (let n = 0; n < 2_000; n++) {
      const { words, text } = randomIpv6();
      if (words.slice(0, 6).join() === '0,0,0,0,0,65535') continue; // IPv4-mapped: covered above
      const bits = Math.floor(random() * 129);
      const bucket = clientBucketOf(text, { ipv4: 32, ipv6: bits });
      const [network, length = '128'] = bucket.split('/');
      expect(isIP(network)).toBe(6);
      expect(Number(length)).toBe(bits);
      const inside = new BlockList();
      inside.addSubnet(network, bits, 'ipv6');
      expect(inside.check(text, 'ipv6')).toBe(true);
      // RFC 5952 text, as the WHATWG URL serializer writes it.
      expect(network).toBe(new URL(`http://[${network}]/`).hostname.slice(1, -1));
      // Any spelling of the same address lands in the same bucket.
      const padded = words.map((w) => w.toString(16).padStart(4, '0').toUpperCase()).join(':');
      expect(clientBucketOf(`${padded}%zone${n}`, { ipv4: 32, ipv6: bits })).toBe(bucket);
    }
  });

  it('gives every address of one /64 the same bucket, and the neighbouring /64 another', () => {
    const buckets = new Set<string>();
    for (let n = 0; n < 1_000; n++) {
      const host = Array.from({ length: 4 }, word).map((w) => w.toString(16)).join(':');
      buckets.add(clientBucketOf(`2001:db8:aa:bb:${host}`));
    }
    expect([...buckets]).toEqual(['2001:db8:aa:bb::/64']);
    expect(clientBucketOf('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
  });
});

describe('parseAddress', () => {
  it('reads IPv4, IPv6 and mapped IPv4, and nothing else', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, bytes: Uint8Array.from([10, 0, 0, 1]) });
    expect(parseAddress('::ffff:a00:1')).toEqual({ family: 4, bytes: Uint8Array.from([10, 0, 0, 1]) });
    expect(parseAddress('::1')?.family).toBe(6);
    expect(parseAddress('::1')?.bytes).toEqual(Uint8Array.from([...new Array<number>(15).fill(0), 1]));
    expect(parseAddress('localhost')).toBeUndefined();
  });
});
