/**
 * What the Test card shows about a pasted token before the server verifies it:
 * header fields and lifetime, decoded WITHOUT verification, for display only.
 * Nothing here decides anything; the verifier's answer is the only verdict.
 */
import { isCompactJws } from '../protocol/jws.js';

/** Tokens living longer than this get the "don't issue 1-year tokens" warning. */
export const MAX_RECOMMENDED_LIFETIME_SECONDS = 24 * 60 * 60;

export interface TokenInfo {
  alg: string | null;
  kid: string | null;
  typ: string | null;
  /** Seconds since the epoch, when the claim is a number. */
  iat: number | null;
  exp: number | null;
  /** exp − iat in seconds, when both are numbers. */
  lifetimeSeconds: number | null;
  /** Claims the Test card compares with the settings (the admin pasted this token; never logged). */
  iss: string | null;
  aud: string[] | null;
  azp: string | null;
  clientId: string | null;
  tokenUse: string | null;
  sub: string | null;
}

export type TokenInspection = { ok: true; info: TokenInfo } | { ok: false; problem: string };

export function inspectToken(raw: string): TokenInspection {
  const token = raw.trim();
  if (!isCompactJws(token)) {
    if (raw.trim().split('.').length === 5) {
      return { ok: false, problem: 'An encrypted token (JWE, five segments), not a signed JWT: Auth0 returns these when no audience is requested.' };
    }
    return { ok: false, problem: 'Not a compact JWS: expected three base64url segments separated by dots.' };
  }
  const [headerPart = '', payloadPart = ''] = token.split('.');
  const header = decodeJsonObject(headerPart);
  const payload = decodeJsonObject(payloadPart);
  if (header === null) return { ok: false, problem: 'The header segment is not base64url-encoded JSON.' };
  if (payload === null) return { ok: false, problem: 'The payload segment is not base64url-encoded JSON.' };
  const iat = numberOrNull(payload.iat);
  const exp = numberOrNull(payload.exp);
  return {
    ok: true,
    info: {
      alg: stringOrNull(header.alg),
      kid: stringOrNull(header.kid),
      typ: stringOrNull(header.typ),
      iat,
      exp,
      lifetimeSeconds: iat !== null && exp !== null ? exp - iat : null,
      iss: stringOrNull(payload.iss),
      aud: typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((entry): entry is string => typeof entry === 'string') : null,
      azp: stringOrNull(payload.azp),
      clientId: stringOrNull(payload.client_id),
      tokenUse: stringOrNull(payload.token_use),
      sub: typeof payload.sub === 'string' ? payload.sub : payload.sub === undefined ? null : JSON.stringify(payload.sub),
    },
  };
}

function decodeJsonObject(segment: string): Record<string, unknown> | null {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** "1 h 30 min", "2 d 3 h", "45 s": a lifetime a person reads at a glance. */
export function formatDuration(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? '−' : '';
  let rest = Math.round(Math.abs(totalSeconds));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}`);
    if (parts.length === 2) break;
  }
  return sign + (parts.length > 0 ? parts.join(' ') : '0 s');
}
