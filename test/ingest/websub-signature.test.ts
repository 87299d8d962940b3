import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSignedBy } from '../../src/ingest/websub-signature.js';

const SECRET = 'a3f1c0de';
const BODY = Buffer.from('<rss version="2.0"><channel><title>T</title></channel></rss>');
const sign = (method: string, secret = SECRET, body = BODY) => `${method}=${createHmac(method, secret).update(body).digest('hex')}`;

describe('isSignedBy', () => {
  it.each(['sha1', 'sha256', 'sha384', 'sha512'])('takes an HMAC-%s of the body under the secret', (method) => {
    expect(isSignedBy(SECRET, sign(method), BODY)).toBe(true);
    expect(isSignedBy(SECRET, sign(method).toUpperCase(), BODY)).toBe(true);
  });

  it('refuses another secret, another body, a cut or padded signature, an unknown method, and none', () => {
    expect(isSignedBy(SECRET, sign('sha256', 'other'), BODY)).toBe(false);
    expect(isSignedBy(SECRET, sign('sha256'), Buffer.concat([BODY, Buffer.from(' ')]))).toBe(false);
    expect(isSignedBy(SECRET, sign('sha256').slice(0, -2), BODY)).toBe(false);
    expect(isSignedBy(SECRET, `${sign('sha256')}00`, BODY)).toBe(false);
    expect(isSignedBy(SECRET, `md5=${createHmac('md5', SECRET).update(BODY).digest('hex')}`, BODY)).toBe(false);
    expect(isSignedBy(SECRET, sign('sha256').replace('=', ''), BODY)).toBe(false);
    expect(isSignedBy(SECRET, undefined, BODY)).toBe(false);
    expect(isSignedBy(SECRET, '', BODY)).toBe(false);
  });
});
