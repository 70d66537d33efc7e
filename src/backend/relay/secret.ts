import { createHash, timingSafeEqual } from 'node:crypto';

/** base64url(SHA-256(ASCII(secret))): the relay's secretHash, as PKCE's S256 (RFC 7636 §4.2). */
export function hashRelaySecret(secret: string): string {
  return createHash('sha256').update(secret, 'ascii').digest('base64url');
}

/** Constant-time: does `secret` hash to `secretHash`? */
export function provesSecret(secret: string, secretHash: string): boolean {
  const actual = Buffer.from(hashRelaySecret(secret), 'ascii');
  const expected = Buffer.from(secretHash, 'ascii');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
