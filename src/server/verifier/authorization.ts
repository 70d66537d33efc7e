/** The token of an `Authorization: Bearer` header (RFC 6750: the scheme is case-insensitive). */
import { FAILURES, type Failure } from './failures.js';

const BEARER = /^[ \t]*bearer(?:[ \t]+|$)/i;

export function bearerToken(headerValue: string | null | undefined): string | Failure {
  if (typeof headerValue !== 'string' || headerValue.trim() === '') return FAILURES.noHeader;
  const scheme = BEARER.exec(headerValue);
  if (!scheme) return FAILURES.otherScheme;
  const token = headerValue.slice(scheme[0].length).trim();
  return token === '' ? FAILURES.emptyToken : token;
}
