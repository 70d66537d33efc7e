/**
 * identify()'s token checks (SPEC §2.4) and the one claim the widget reads.
 * The widget never trusts claims: `exp` is read unverified, only to schedule
 * a refresh.
 */
import { isCompactJws } from '../protocol/jws.js';
import { LIMITS } from '../protocol/chat.js';

/**
 * Says what is wrong with a would-be token, or null when it is a compact JWS
 * of sane size. The message describes the value's shape, never its content.
 */
export function describeTokenProblem(value: unknown): string | null {
  if (isCompactJws(value)) return null;
  const problem =
    typeof value !== 'string'
      ? `must be a string, not ${value === null ? 'null' : typeof value}`
      : value.length > LIMITS.maxTokenChars
        ? `is longer than ${LIMITS.maxTokenChars} characters`
        : /\s/.test(value)
          ? 'contains whitespace (pass it without spaces, newlines or a "Bearer " prefix)'
          : value.split('.').length !== 3
            ? `has ${value.split('.').length} dot-separated segments; a compact JWT has 3`
            : 'segments must be non-empty base64url (A-Z a-z 0-9 - _)';
  return `identify(): token ${problem}.`;
}

/** The unverified `exp` (seconds since epoch), or null when absent or unreadable. */
export function readUnverifiedExp(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    // atob is forgiving-base64: it accepts the unpadded form.
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    const exp = (json as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}
