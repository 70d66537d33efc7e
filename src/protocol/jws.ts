import { LIMITS } from './chat.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * True for a compact JWS: three non-empty base64url segments (no padding, no
 * whitespace), at most LIMITS.maxTokenChars long. Says nothing about validity.
 */
export function isCompactJws(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > LIMITS.maxTokenChars) return false;
  const parts = value.split('.');
  return parts.length === 3 && parts.every((part) => SEGMENT.test(part));
}
