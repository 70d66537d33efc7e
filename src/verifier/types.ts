import type { KeyStatus, VisitorSignInMode } from '../protocol/admin.js';
import type { ConfigWarning } from '../protocol/providers.js';
import type { CognitoTokenUse, IdentityProvider } from '../protocol/providers.js';
import type { FailureDetail, FailureReason } from '../protocol/reasons.js';

export type { CognitoTokenUse, FailureDetail, FailureReason, IdentityProvider };

export type { VisitorSignInMode };

/** The Visitor sign-in settings (SPEC §3, pinned). */
export interface VisitorSignInConfig {
  mode: VisitorSignInMode;
  /**
   * jwks mode: which identity provider (docs/identity-providers.md). Default
   * `custom`: the JWKS URL, Issuer and Audience as typed. A preset derives the
   * JWKS URL and Issuer (and Firebase's Audience) from its own fields below;
   * `oidc` finds the keys by OpenID discovery from the Issuer alone.
   */
  provider?: IdentityProvider;
  /** jwks mode: a JWKS document, or Firebase's x509 JSON (kid → PEM certificate). Derived by presets. */
  jwksUrl?: string;
  /** Enforced when set (non-empty). Required for shared key sets (any x509 map, Google's JWKS). */
  issuer?: string;
  /**
   * Enforced when set (non-empty): the token's `aud` (a string or an array) must
   * hold at least one of these. Cognito: the app client id(s), checked against
   * `aud` of ID tokens and `client_id` of access tokens.
   */
  audience?: string | string[];
  /** auth0: the tenant (or custom) domain, e.g. `acme.eu.auth0.com`. */
  auth0Domain?: string;
  /** cognito: the user pool id, e.g. `eu-west-1_AbC123` (the region is its prefix). */
  cognitoUserPoolId?: string;
  /** cognito: which tokens are accepted by `token_use`. Default `id`. */
  cognitoTokenUse?: CognitoTokenUse;
  /** clerk: the Frontend API URL, e.g. `https://your-app.clerk.accounts.dev`. */
  clerkFrontendApiUrl?: string;
  /** The origins a token may be made for (`azp` must be one of them when set). Clerk: your site origins. */
  authorizedParties?: string[];
  /** firebase: the project id. */
  firebaseProjectId?: string;
  /** Accept machine-to-machine tokens (client credentials). Default false: they are not visitors. */
  allowMachineTokens?: boolean;
  /** Accept tokens without `exp`. Default false: such a token is a permanent credential. */
  allowTokensWithoutExp?: boolean;
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
  | { ok: false; reason: FailureReason; message: string; detail: FailureDetail };

export interface VerifierLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface VerifierDeps {
  /**
   * Used for the JWKS and discovery URLs only. Default: a node:http(s) transport
   * that connects only to addresses the network policy allows (allowPrivateNetworks).
   * An injected fetch owns its own network policy; the URL policy still applies.
   */
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch. Default: Date.now. */
  now?: () => number;
  /** Structured logger (pino-compatible). Default: one JSON line per entry on stderr. */
  logger?: VerifierLogger;
  /** Accept http:// JWKS URLs on hosts other than loopback. Default false. */
  allowInsecureHttp?: boolean;
  /**
   * Fetch JWKS and discovery documents from https hosts that resolve to private,
   * loopback or link-local addresses. Default false: such fetches are refused,
   * so a config page cannot be used to probe the internal network.
   */
  allowPrivateNetworks?: boolean;
  /** Host name resolution for the default transport (dns.lookup's signature). Default: dns.lookup. */
  lookup?: typeof import('node:dns').lookup;
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
  /** What is valid but risky in this config (an empty Issuer or Audience), for the config page and the Test card. */
  warnings(): ConfigWarning[];
}

export type { ConfigWarning };
