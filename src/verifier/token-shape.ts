/**
 * The compact-JWS shape check of src/protocol/jws.ts (three non-empty base64url
 * segments, no padding, at most LIMITS.maxTokenChars), as one regular
 * expression: it runs on every request, and this form allocates nothing.
 */
import { LIMITS } from '../protocol/chat.js';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function isCompactJws(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.maxTokenChars && COMPACT_JWS.test(value);
}

/** Five segments (the IV and tag may not be empty, the encrypted key may): an encrypted JWT (JWE). */
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function isCompactJwe(value: unknown): boolean {
  return typeof value === 'string' && value.length <= LIMITS.maxTokenChars && COMPACT_JWE.test(value);
}
