// The caller's IP address: the socket's peer, or — only when that peer is a configured trusted proxy — the
// nearest untrusted address in X-Forwarded-For, read right to left (RFC 7239 §5.2: each proxy appends the
// address it received from). Anything left of the first untrusted hop may be forged by the client and is ignored.
import { BlockList, isIP } from 'node:net';
import { formatAddress, parseAddress } from './clientBucket';

export type ProxyMatcher = (address: string) => boolean;

/** Compiles `server.trustedProxies` (addresses and CIDR ranges, IPv4 or IPv6) into a membership test. */
export function compileTrustedProxies(entries: readonly string[]): ProxyMatcher {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** Whether `entry` is an IP address or a CIDR range (for config validation). */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 6 ? 128 : 32);
}

/**
 * "::ffff:10.0.0.1" → "10.0.0.1": Node reports IPv4 peers on dual-stack sockets in the mapped form, and a proxy
 * may forward one in any spelling ("::FFFF:a00:1", "0:0:0:0:0:ffff:10.0.0.1"). Other text is only trimmed.
 */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const parsed = isIP(trimmed) === 6 ? parseAddress(trimmed) : undefined;
  return parsed?.family === 4 ? formatAddress(parsed) : trimmed;
}

/**
 * The client address for a request from `peer` carrying `forwardedFor` (the X-Forwarded-For header, possibly
 * repeated). Without a trusted peer the header is never read, so a direct client cannot choose its identity.
 */
export function clientIpOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: ProxyMatcher): string {
  let current = normalizeAddress(peer ?? '');
  if (!trusted(current) || forwardedFor === undefined) return current || 'unknown';
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (isIP(hop) === 0) break; // garbage: stop at the last address a trusted proxy vouched for
    current = hop;
    if (!trusted(hop)) break;
  }
  return current;
}
