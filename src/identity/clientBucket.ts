// The network an anonymous caller is counted as: its IPv4 address (or IPv4 prefix), or its IPv6 prefix — by
// default the /64 a single subscriber is handed (RFC 6177, RIPE-690), so rotating through one's own 2^64
// addresses buys no extra limit. Pure. Validation is node:net's `isIP`; the bytes are read only once it has
// accepted the text, so the parsing below never sees anything but a well-formed address. Canonical text per
// RFC 5952 (lowercase, no leading zeros, the longest run of zero groups compressed), so every spelling of one
// network — `::ffff:1.2.3.4`, `2001:DB8:0::1`, `fe80::1%eth0` — is one key.
import { isIP } from 'node:net';

export interface IpPrefixes {
  /** Prefix length IPv4 callers are counted per (32: per address). */
  ipv4: number;
  /** Prefix length IPv6 callers are counted per (64: per subscriber network). */
  ipv6: number;
}

export const DEFAULT_IP_PREFIXES: IpPrefixes = { ipv4: 32, ipv6: 64 };

/** The one bucket for anything that is not an IP address (no socket address, say): fixed, so never unbounded. */
export const UNKNOWN_BUCKET = 'unknown';

export interface ParsedAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

/**
 * Parses an IPv4 or IPv6 address (a zone id is dropped; an IPv4-mapped IPv6 address, in any spelling, is
 * returned as the IPv4 address it carries). Undefined for anything `isIP` rejects.
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family: 4, bytes: Uint8Array.from(text.split('.'), Number) };
  if (family !== 6) return undefined;
  const bytes = ipv6Bytes(text.split('%')[0]);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? { family: 4, bytes: bytes.slice(12) } : { family: 6, bytes };
}

/** The canonical text of an address: dotted IPv4, RFC 5952 IPv6. */
export function formatAddress({ family, bytes }: ParsedAddress): string {
  return family === 4 ? bytes.join('.') : formatIpv6(bytes);
}

/**
 * The bucket `ip` is counted in: "198.51.100.7", "198.51.100.0/24", "2001:db8:0:1::/64", "2001:db8::1" (a
 * prefix of the full length is written without one), or `UNKNOWN_BUCKET` for anything that is not an address.
 */
export function clientBucketOf(ip: string, prefixes: IpPrefixes = DEFAULT_IP_PREFIXES): string {
  const parsed = parseAddress(ip.trim());
  if (parsed === undefined) return UNKNOWN_BUCKET;
  const full = parsed.family === 4 ? 32 : 128;
  const bits = Math.max(0, Math.min(full, parsed.family === 4 ? prefixes.ipv4 : prefixes.ipv6));
  if (bits === full) return formatAddress(parsed);
  const masked = parsed.bytes.map((byte, i) => byte & (0xff << Math.max(0, Math.min(8, 8 * (i + 1) - bits))) & 0xff);
  return `${formatAddress({ family: parsed.family, bytes: masked })}/${bits}`;
}

function ipv6Bytes(text: string): Uint8Array {
  // An embedded IPv4 tail ("::ffff:1.2.3.4") is two 16-bit groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let head = text;
  const tailWords: number[] = [];
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number);
    tailWords.push((a << 8) | b, (c << 8) | d);
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = head.indexOf('::');
  let words: number[];
  if (gap === -1) {
    words = [...groups(head), ...tailWords];
  } else {
    const left = groups(head.slice(0, gap));
    const right = [...groups(head.slice(gap + 2)), ...tailWords];
    words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

function formatIpv6(bytes: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart === -1) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}
