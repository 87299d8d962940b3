import { createHmac, timingSafeEqual } from 'node:crypto';

/** The HMAC methods a hub may sign with (WebSub §8: X-Hub-Signature: method=signature). */
const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/**
 * Whether a hub's X-Hub-Signature header is the HMAC of `body` under the subscription's secret.
 * A missing or malformed header, or an unknown method, is no signature: a hub given a secret
 * signs everything it sends.
 */
export function isSignedBy(secret: string, header: string | undefined, body: Buffer): boolean {
  const match = /^\s*([a-z0-9]+)=([0-9a-f]+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const method = match[1]!.toLowerCase();
  if (!METHODS.has(method)) return false;
  const given = Buffer.from(match[2]!.toLowerCase(), 'hex');
  const expected = createHmac(method, secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
