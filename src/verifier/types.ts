import type { KeyStatus, VisitorSignInMode } from '../protocol/admin.js';
import type { FailureReason } from '../protocol/reasons.js';

export type { FailureReason };

export type { VisitorSignInMode };

/** The Visitor sign-in settings (SPEC §3, pinned). */
export interface VisitorSignInConfig {
  mode: VisitorSignInMode;
  /** jwks mode: a JWKS document, or Firebase's x509 JSON (kid → PEM certificate). */
  jwksUrl?: string;
  /** Enforced when set (non-empty). */
  issuer?: string;
  /** Enforced when set (non-empty); a token's `aud` may be a string or an array. */
  audience?: string;
  /** hmac mode; keyed as its UTF-8 bytes. Never returned by any read API. */
  hmacSecret?: string;
  /** `{ outName: claimName }`; `userId` may only map to `sub`. null or absent: copy every non-registered claim. */
  claimMapping?: Record<string, string> | null;
  signInUrl?: string | null;
}

/** A verified visitor: `userId` is always the token's `sub`. A frozen object with a null prototype. */
export interface VisitorIdentity {
  readonly userId: string;
  readonly [claim: string]: unknown;
}

export type VerifyResult =
  | { ok: true; identity: VisitorIdentity }
  | { ok: false; reason: FailureReason; message: string };

export interface VerifierLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface VerifierDeps {
  /** Used for the JWKS URL only. Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch. Default: Date.now. */
  now?: () => number;
  /** Structured logger (pino-compatible). Default: one JSON line per entry on stderr. */
  logger?: VerifierLogger;
  /** Accept http:// JWKS URLs on hosts other than loopback. Default false. */
  allowInsecureHttp?: boolean;
  /** How long fetched keys are used before a re-pull, in ms. Default 900_000 (15 min). */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches caused by unknown kids or after a failed fetch, in ms. Default 30_000. */
  unknownKidCooldownMs?: number;
  /** Whole-request timeout of a JWKS fetch, in ms. Default 5_000. */
  fetchTimeoutMs?: number;
  /** Largest JWKS document accepted, in bytes. Default 262_144 (256 KiB). */
  maxJwksBytes?: number;
  /** How long past cacheMaxAgeMs expired keys keep serving while re-pulls fail, in ms. Default 3_600_000 (1 h), at most 86_400_000. */
  staleGraceMs?: number;
  /** Most verified results remembered (LRU). Default 10_000; 0 turns the cache off. */
  resultCacheMaxEntries?: number;
  /** Longest a verified result of a token without `exp` is remembered, in ms. Default 300_000. */
  resultCacheMaxAgeMs?: number;
}

/** What the config page shows about the keys in use. */
export type { KeyStatus };

export interface VisitorVerifier {
  readonly mode: VisitorSignInMode;
  /** Verifies an `Authorization` header value; never throws. */
  verifyAuthorization(headerValue: string | null | undefined): Promise<VerifyResult>;
  /** Verifies a bare token; never throws. */
  verifyToken(token: string): Promise<VerifyResult>;
  /** Re-pulls the JWKS now, ignoring cache and cooldown. Never rejects; see keyStatus() for the outcome. */
  refreshKeys(): Promise<void>;
  keyStatus(): KeyStatus;
}
