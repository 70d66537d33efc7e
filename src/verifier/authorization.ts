/** The token of an `Authorization: Bearer` header (RFC 6750: the scheme is case-insensitive). */
import { FAILURES, type Failure } from './failures.js';
import { isCompactJws } from './token-shape.js';

const BEARER = /^[ \t]*bearer(?:[ \t]+|$)/i;
const BEARER_CODES = [0x62, 0x65, 0x61, 0x72, 0x65, 0x72]; // "bearer"

/**
 * The common shape, "Bearer <compact JWS>" with one space, checked without
 * allocating: returns the token (already known to be a compact JWS) or null.
 */
export function plainBearerJws(headerValue: string): string | null {
  if (headerValue.length <= 7 || headerValue.charCodeAt(6) !== 0x20) return null;
  for (let i = 0; i < 6; i++) {
    if ((headerValue.charCodeAt(i) | 0x20) !== BEARER_CODES[i]) return null;
  }
  const token = headerValue.slice(7);
  return isCompactJws(token) ? token : null;
}

/** Any other header value: the trimmed token, or why there is none. */
export function bearerToken(headerValue: string | null | undefined): string | Failure {
  if (typeof headerValue !== 'string' || headerValue.trim() === '') return FAILURES.noHeader;
  const scheme = BEARER.exec(headerValue);
  if (!scheme) return FAILURES.otherScheme;
  const token = headerValue.slice(scheme[0].length).trim();
  return token === '' ? FAILURES.emptyToken : token;
}
