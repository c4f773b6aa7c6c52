// Who the client is when shadowgate sits behind load balancers: the socket peer, unless that
// peer is a trusted proxy, in which case the forwarding header is walked from the right
// (nginx real_ip_recursive, Envoy's trusted hops). Pure: no I/O, tested as a table.
import { BlockList, isIP } from 'node:net';

/** Parsed `trustedProxies`: addresses and CIDR ranges, IPv4 and IPv6. */
export interface TrustedProxies {
  /** true when `address` (already normalised, see normalizeAddress) is in a trusted range. */
  has(address: string): boolean;
  readonly empty: boolean;
}

/**
 * "10.0.0.0/8", "127.0.0.1", "::1/128", "fd00::/8"; a bare address is a /32 (/128).
 * Throws a plain Error naming the entry; the config schema reports it with its key path.
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (cidr === undefined) throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8)`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  const empty = entries.length === 0;
  return {
    empty,
    has(address) {
      if (empty) return false;
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** A CIDR entry, or undefined when it is not one. IPv4-mapped IPv6 ranges are taken as IPv4. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = entry.indexOf('/');
  const rawAddress = slash === -1 ? entry.trim() : entry.slice(0, slash).trim();
  const rawPrefix = slash === -1 ? undefined : entry.slice(slash + 1).trim();
  let address = rawAddress;
  let family = isIP(address);
  let prefix = rawPrefix === undefined ? (family === 4 ? 32 : 128) : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) : NaN;
  if (family === 6) {
    const mapped = unmapIPv4(address);
    if (mapped !== address) {
      address = mapped;
      family = 4;
      prefix = rawPrefix === undefined ? 32 : prefix - 96;
    }
  }
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The address as Unleash should see it: `::ffff:1.2.3.4` ⇒ `1.2.3.4` (Node reports IPv4
 * peers of a dual-stack listener that way; Unleash's remoteAddress strategy and IN_CIDR
 * ranges are written in IPv4), brackets and ports stripped from header entries
 * (`[2001:db8::1]:443`, `1.2.3.4:5678`). undefined when it is not an IP address.
 */
export function normalizeAddress(raw: string): string | undefined {
  let s = raw.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1);
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close === -1) return undefined;
    const rest = s.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    s = s.slice(1, close);
  } else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(s)) {
    s = s.slice(0, s.lastIndexOf(':'));
  }
  const family = isIP(s);
  if (family === 0) return undefined;
  return family === 6 ? unmapIPv4(s).toLowerCase() : s;
}

function unmapIPv4(address: string): string {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] !== undefined && isIP(m[1]) === 4 ? m[1] : address;
}

/** x-forwarded-for (or any comma-separated list of addresses), every header line in order, left to right. */
export function parseForwardedFor(values: string | readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const lines = typeof values === 'string' ? [values] : values;
  return lines.flatMap((line) => line.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** RFC 7239 `forwarded`: the `for=` node of each element, left to right ("unknown" and obfuscated nodes kept as-is). */
export function parseForwarded(values: string | readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const lines = typeof values === 'string' ? [values] : values;
  const out: string[] = [];
  for (const element of lines.flatMap((line) => line.split(','))) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === 'for') out.push(pair.slice(eq + 1).trim());
    }
  }
  return out;
}

/**
 * The client's address. `peer` is req.socket.remoteAddress; `forwarded` the hops listed by
 * the forwarding header, left (origin) to right (nearest), see parseForwardedFor/parseForwarded.
 *
 * - peer not a trusted proxy (or nothing is trusted): the peer — a header from an untrusted
 *   peer is whatever the client chose to write.
 * - otherwise walk the list from the right, skipping trusted proxies: the first address that
 *   is not one is the client. An entry that is not an address (garbage, "unknown") stops the
 *   walk: nothing to its left can be trusted, so the last trusted hop is the client as far
 *   as we know. Every entry trusted: the left-most (as nginx does).
 *
 * Returns the normalised address (see normalizeAddress); the peer as given if it is not an IP.
 */
export function clientAddress(peer: string | undefined, forwarded: readonly string[], trusted: TrustedProxies): string | undefined {
  const peerAddress = peer === undefined ? undefined : normalizeAddress(peer) ?? peer;
  if (peerAddress === undefined || trusted.empty || !trusted.has(peerAddress)) return peerAddress;
  let client = peerAddress;
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(forwarded[i]!);
    if (hop === undefined) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}
