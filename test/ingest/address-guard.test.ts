import { describe, expect, it } from 'vitest';
import { BlockedAddressError, guardedLookup, isBlockedAddress } from '../../src/ingest/address-guard.js';

describe('isBlockedAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'the far end of 127/8'],
    ['::1', 'IPv6 loopback'],
    ['0.0.0.0', 'IPv4 unspecified'],
    ['0.1.2.3', '"this network" 0/8'],
    ['::', 'IPv6 unspecified'],
    ['10.0.0.1', 'RFC 1918 10/8'],
    ['10.255.255.255', 'the far end of 10/8'],
    ['172.16.0.1', 'RFC 1918 172.16/12, first'],
    ['172.31.255.254', 'RFC 1918 172.16/12, last'],
    ['192.168.1.1', 'RFC 1918 192.168/16'],
    ['169.254.169.254', 'the cloud metadata service'],
    ['169.254.0.1', 'IPv4 link-local'],
    ['100.64.0.1', 'carrier-grade NAT, first'],
    ['100.127.255.254', 'carrier-grade NAT, last'],
    ['224.0.0.1', 'IPv4 multicast'],
    ['239.255.255.250', 'SSDP multicast'],
    ['240.0.0.1', 'reserved 240/4'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'TEST-NET-1 documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['fc00::1', 'IPv6 unique local fc00::/7'],
    ['fd12:3456:789a::1', 'IPv6 unique local in fd00::/8'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['febf:ffff::1', 'the far end of fe80::/10'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata service, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped RFC 1918'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped 192.168.1.1, written out'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::a9fe:a9fe', 'IPv4-compatible metadata service'],
    ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata service'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['localhost', 'a host name, not an address'],
    ['', 'an empty string'],
    ['1.2.3', 'a malformed address'],
  ])('blocks %s (%s)', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each([
    ['1.1.1.1', 'public IPv4'],
    ['93.184.216.34', 'public IPv4'],
    ['9.255.255.255', 'just below 10/8'],
    ['11.0.0.0', 'just above 10/8'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['100.63.255.255', 'just below carrier-grade NAT'],
    ['100.128.0.0', 'just above carrier-grade NAT'],
    ['169.253.255.255', 'just below link-local'],
    ['223.255.255.255', 'just below multicast'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['2a00:1450:4001:80b::200e', 'public IPv6'],
    ['fbff:ffff::1', 'just below fc00::/7'],
    ['::ffff:1.1.1.1', 'IPv4-mapped public address'],
    ['::ffff:808:808', 'IPv4-mapped 8.8.8.8, hex'],
    ['64:ff9b::8.8.8.8', 'NAT64 of a public address'],
    ['::ffff:0:8.8.8.8', 'IPv4-translated public address'],
    ['2002:808:808::1', '6to4 of a public address'],
  ])('allows %s (%s)', (ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });
});

describe('guardedLookup', () => {
  function lookup(isBlocked: (ip: string) => boolean, host: string, all: boolean) {
    return new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) => {
      guardedLookup(isBlocked)(host, { all }, (err, address, family) => resolve({ err, address, family }));
    });
  }

  it('refuses a name whose every address is blocked', async () => {
    const { err } = await lookup(isBlockedAddress, 'localhost', true);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err?.message).toMatch(/^localhost resolves only to blocked addresses \(/);
  });

  it('hands back only the allowed addresses, in both callback shapes', async () => {
    const allowed = await lookup(() => false, 'localhost', true);
    expect(allowed.err).toBeNull();
    expect(allowed.address).toContainEqual({ address: '127.0.0.1', family: 4 });

    const single = await lookup((ip) => ip !== '127.0.0.1', 'localhost', false);
    expect(single).toEqual({ err: null, address: '127.0.0.1', family: 4 });
  });
});
