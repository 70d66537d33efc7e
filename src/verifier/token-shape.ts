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
