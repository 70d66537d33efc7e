/** The token of an `Authorization: Bearer` header (RFC 6750: the scheme is case-insensitive). */
import { FAILURES, type Failure } from './failures.js';

const BEARER = /^[ \t]*bearer(?:[ \t]+|$)/i;
const SPACE_OR_TAB = /[ \t]/;

export function bearerToken(headerValue: string | null | undefined): string | Failure {
  if (typeof headerValue !== 'string') return FAILURES.noHeader;
  // The common shape, "Bearer <token>", without a regular expression over the whole value.
  if (headerValue.length > 7 && headerValue.charCodeAt(6) === 32 && headerValue.slice(0, 6).toLowerCase() === 'bearer') {
    const token = headerValue.slice(7);
    if (token !== '' && !SPACE_OR_TAB.test(token)) return token;
  }
  if (headerValue.trim() === '') return FAILURES.noHeader;
  const scheme = BEARER.exec(headerValue);
  if (!scheme) return FAILURES.otherScheme;
  const token = headerValue.slice(scheme[0].length).trim();
  return token === '' ? FAILURES.emptyToken : token;
}
