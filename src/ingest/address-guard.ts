// Which network addresses a feed fetch may connect to. Feeds come from users, so a feed URL
// must not become a way to reach the host itself, the local network or a cloud metadata
// service. The check runs on the address actually connected to (see guardedLookup), so a
// redirect or a DNS answer that changes between check and use cannot slip past it.
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';

/** Special-purpose IPv4 ranges (IANA registry, RFC 6890) that are never a public feed host. */
const BLOCKED_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", incl. the unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT, RFC 6598
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. the 169.254.169.254 metadata service
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. the 255.255.255.255 broadcast
];

const BLOCKED_IPV6: ReadonlyArray<readonly [string, number]> = [
  ['::', 96], // unspecified ::, loopback ::1 and the deprecated IPv4-compatible ::a.b.c.d
  ['64:ff9b:1::', 48], // NAT64 for local use, RFC 8215
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
];

const blockedIpv4 = new BlockList();
for (const [network, prefix] of BLOCKED_IPV4) blockedIpv4.addSubnet(network, prefix, 'ipv4');
const blockedIpv6 = new BlockList();
for (const [network, prefix] of BLOCKED_IPV6) blockedIpv6.addSubnet(network, prefix, 'ipv6');

/**
 * True when a fetch must not connect to `ip`. Anything that is not a valid IP address is
 * blocked too: the guard fails closed.
 */
export function isBlockedAddress(ip: string): boolean {
  const address = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const withoutZone = address.split('%')[0] ?? '';
  if (isIPv4(withoutZone)) return blockedIpv4.check(withoutZone, 'ipv4');
  if (!isIPv6(withoutZone)) return true;
  if (blockedIpv6.check(withoutZone, 'ipv6')) return true;
  const embedded = embeddedIpv4(withoutZone);
  return embedded !== null && blockedIpv4.check(embedded, 'ipv4');
}

/**
 * The IPv4 address an IPv6 address stands for, where the IPv6 address is only a wrapper
 * around one: IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d (RFC 2765),
 * NAT64 64:ff9b::a.b.c.d (RFC 6052) and 6to4 2002:aabb:ccdd:: (RFC 3056). Without this,
 * ::ffff:127.0.0.1 would reach loopback.
 */
function embeddedIpv4(ipv6: string): string | null {
  const groups = ipv6Groups(ipv6);
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const isTranslated = groups.slice(0, 4).every((g) => g === 0) && groups[4] === 0xffff && groups[5] === 0;
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (isMapped || isTranslated || isNat64) return ipv4FromGroups(groups[6] ?? 0, groups[7] ?? 0);
  if (groups[0] === 0x2002) return ipv4FromGroups(groups[1] ?? 0, groups[2] ?? 0);
  return null;
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address, with `::` and a dotted-quad tail expanded. */
function ipv6Groups(ipv6: string): number[] {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      if (!isIPv4(piece)) return [parseInt(piece, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = ipv6.split('::');
  if (tail === undefined) return toGroups(head);
  const headGroups = toGroups(head);
  const tailGroups = toGroups(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/** Raised when every address a host resolves to (or the literal host itself) is refused. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(
    readonly host: string,
    readonly addresses: string[],
  ) {
    const isLiteral = addresses.length === 1 && addresses[0] === host;
    const resolved = `${host} resolves only to blocked addresses (${addresses.join(', ')})`;
    super(isLiteral ? `${host} is a blocked address` : resolved);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A drop-in for `dns.lookup` in `net.connect` options that hands the socket only the
 * addresses `isBlocked` allows. Because the socket connects to exactly what this returns,
 * the check cannot be raced by a second, different DNS answer.
 */
export function guardedLookup(isBlocked: (ip: string) => boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((entry) => !isBlocked(entry.address));
      const first = allowed[0];
      if (first === undefined) {
        const refused = addresses.map((entry) => entry.address);
        return callback(new BlockedAddressError(hostname, refused), []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici agent whose every connection, redirect targets included, goes only to addresses
 * `isBlocked` allows. Redirects are not followed by the agent; the caller checks each hop.
 */
export function createGuardedAgent(
  isBlocked: (ip: string) => boolean,
  timeouts: { connectTimeoutMs: number; timeoutMs: number },
): Agent {
  const baseConnect = buildConnector({
    timeout: timeouts.connectTimeoutMs,
    lookup: guardedLookup(isBlocked),
    autoSelectFamily: true,
  });
  // net.connect skips lookup for a literal IP host, so a literal is checked here instead.
  const connect: buildConnector.connector = (options, callback) => {
    if (isIP(options.hostname) !== 0 && isBlocked(options.hostname)) {
      callback(new BlockedAddressError(options.hostname, [options.hostname]), null);
      return;
    }
    baseConnect(options, callback);
  };
  return new Agent({ connect, headersTimeout: timeouts.timeoutMs, bodyTimeout: timeouts.timeoutMs });
}
