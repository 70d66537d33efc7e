/**
 * identify()'s token checks (SPEC §2.4) and the one claim the widget reads.
 * The widget never trusts claims: `exp` is read unverified, only to schedule
 * a refresh.
 */
import { isCompactJws } from '../protocol/jws.js';
import { LIMITS } from '../protocol/chat.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Says what is wrong with a would-be token, or null when it is a compact JWS
 * of sane size. The message describes the value's shape, never its content.
 */
export function describeTokenProblem(value: unknown): string | null {
  if (isCompactJws(value)) return null;
  if (typeof value !== 'string') {
    return `identify(): token must be a string (a compact JWT), got ${value === null ? 'null' : typeof value}.`;
  }
  if (value.length === 0) return 'identify(): token is an empty string; pass the JWT your auth system issued.';
  if (value.length > LIMITS.maxTokenChars) {
    return `identify(): token is ${value.length} characters long; the limit is ${LIMITS.maxTokenChars}.`;
  }
  if (/\s/.test(value)) {
    return 'identify(): token contains whitespace; pass the JWT exactly as issued, without spaces, newlines or a "Bearer " prefix.';
  }
  const parts = value.split('.');
  if (parts.length !== 3) {
    return `identify(): token has ${parts.length} dot-separated segment${parts.length === 1 ? '' : 's'}; a compact JWT has exactly 3.`;
  }
  if (!parts.every((part) => SEGMENT.test(part))) {
    return 'identify(): token segments must be non-empty base64url (A-Z a-z 0-9 - _, no padding).';
  }
  return 'identify(): token is not a compact JWT.';
}

/** The unverified `exp` (seconds since epoch), or null when absent or unreadable. */
export function readUnverifiedExp(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))) as unknown;
    const exp = (json as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}
