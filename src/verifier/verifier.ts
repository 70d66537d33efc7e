/**
 * createVisitorVerifier: verifies visitor tokens in JWKS or HMAC mode on top of
 * jose's jwtVerify. Header policy, key lookup, claim mapping and the verified-
 * result cache are the only work added around jose, so first sight of a token
 * costs about what jose costs, and a repeated token costs a hash and a lookup.
 */
import { jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ApprovedHeaders } from './approved-headers.js';
import { bearerToken, plainBearerJws } from './authorization.js';
import { resolveConfig } from './config.js';
import { resolveDeps } from './deps.js';
import { failureFor, FAILURES, OWN_CODES, VerificationError, type Failure } from './failures.js';
import { HMAC_ALGORITHMS, headerPolicy, JWKS_ALGORITHMS, type HeaderPolicy } from './header-policy.js';
import { buildIdentity } from './identity.js';
import { RemoteKeyStore } from './key-store.js';
import { tokenDigest, VerifiedResultCache } from './result-cache.js';
import { isCompactJws } from './token-shape.js';
import type { KeyStatus, VerifierDeps, VerifyResult, VisitorIdentity, VisitorSignInConfig, VisitorVerifier } from './types.js';

export { HMAC_ALGORITHMS, JWKS_ALGORITHMS };
/** Seconds of clock skew accepted on exp and nbf. */
export const CLOCK_TOLERANCE_SECONDS = 30;

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey> | CryptoKey;
type Success = { readonly ok: true; readonly identity: VisitorIdentity };

const isCryptoKey = (value: unknown): value is CryptoKey => value instanceof CryptoKey;

function hmacKeyResolver(secret: string, policy: HeaderPolicy): KeyResolver {
  let imported: CryptoKey | null = null;
  let importing: Promise<CryptoKey> | null = null;
  return (header) => {
    policy(header);
    if (imported) return imported;
    importing ??= crypto.subtle
      .importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
      .then((key) => (imported = key));
    return importing;
  };
}

/**
 * Creates a verifier for one Visitor sign-in config. Throws a TypeError naming
 * the field for an invalid config or deps; an incomplete config (mode off, no
 * JWKS URL, no secret) is valid and answers `config-incomplete`.
 * Create a new verifier when the config changes: caches belong to one config.
 */
export function createVisitorVerifier(config: VisitorSignInConfig, deps: VerifierDeps = {}): VisitorVerifier {
  const resolvedDeps = resolveDeps(deps);
  const resolved = resolveConfig(config, resolvedDeps.allowInsecureHttp);
  const { now, logger } = resolvedDeps;
  const results = new VerifiedResultCache(resolvedDeps.resultCacheMaxEntries, now);

  let incomplete: Failure | null = null;
  if (resolved.mode === 'off') incomplete = FAILURES.modeOff;
  else if (resolved.mode === 'jwks' && resolved.jwksUrl === null) incomplete = FAILURES.noJwksUrl;
  else if (resolved.mode === 'hmac' && resolved.hmacSecret === null) incomplete = FAILURES.noHmacSecret;

  const store =
    resolved.mode === 'jwks' && resolved.jwksUrl !== null
      ? new RemoteKeyStore(resolved.jwksUrl, resolvedDeps, () => results.clear())
      : null;
  const policy = headerPolicy(resolved.mode === 'hmac' ? HMAC_ALGORITHMS : JWKS_ALGORITHMS);
  const approvedHeaders = new ApprovedHeaders();
  const hmacKey = resolved.mode === 'hmac' && resolved.hmacSecret !== null ? hmacKeyResolver(resolved.hmacSecret, policy) : null;

  /** A resolver for one verification that notes which key-set generation its key came from. */
  function keyResolverFor(used: { generation: number }, startedAt: number): KeyResolver | null {
    if (!store) return hmacKey;
    return (header, token) => {
      policy(header);
      const selected = store.selectedKey(header, startedAt);
      if (selected) {
        used.generation = store.generation;
        return selected;
      }
      return store.getKey(header, token).then(({ key, generation }) => {
        used.generation = generation;
        return key;
      });
    };
  }

  // The algorithm allowlist is enforced by the key resolver (header-policy.ts),
  // which jose runs for every token before verifying; as jose's `algorithms`
  // option it would also build a Set on every call. Missing `sub` is checked below.
  const baseOptions: JWTVerifyOptions = Object.freeze({
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(resolved.issuer !== null ? { issuer: resolved.issuer } : {}),
    ...(resolved.audience !== null ? { audience: resolved.audience } : {}),
  });
  // With the real clock jose reads it itself; an injected clock is passed on each call.
  const optionsAt = deps.now === undefined ? () => baseOptions : (at: number): JWTVerifyOptions => ({ ...baseOptions, currentDate: new Date(at) });

  function refuse(failure: Failure): VerifyResult {
    try {
      logger.warn({ event: 'visitor-token-refused', reason: failure.reason, detail: failure.detail }, 'visitor token refused');
    } catch {
      // A failing logger must not turn a refusal into a thrown error.
    }
    return { ok: false, reason: failure.reason, message: failure.message };
  }

  const refused = (error: unknown): VerifyResult => refuse(failureFor(error));

  function accept(payload: JWTPayload, digest: string, startedAt: number, generation: number): VerifyResult {
    try {
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new VerificationError(OWN_CODES.invalidSubject, 'sub must be a non-empty string');
      }
      const result: Success = Object.freeze({ ok: true, identity: buildIdentity(payload, payload.sub, resolved.claimMapping) });
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : startedAt + resolvedDeps.resultCacheMaxAgeMs;
      // Cached only under the key set that verified it, and only while that set is still the one in use.
      if (generation === (store?.generation ?? 0)) results.set(digest, result, expiresAt);
      return result;
    } catch (error) {
      return refuse(failureFor(error));
    }
  }

  // No kid and several candidate keys: jose hands us each candidate to try.
  async function tryEachCandidate(token: string, error: unknown, options: JWTVerifyOptions): Promise<JWTPayload> {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    for await (const candidate of error as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (inner) {
        if ((inner as { code?: unknown }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
      }
    }
    throw error;
  }

  // Plain promise chains, not nested async functions: on the hot path every
  // avoided await is a promise and a microtask fewer per request.
  function verifyToken(token: string): Promise<VerifyResult> {
    if (incomplete !== null) return Promise.resolve(refuse(incomplete));
    if (!isCompactJws(token)) return Promise.resolve(refuse(FAILURES.notCompactJws));
    return verifyCompactJws(token);
  }

  /** `token` is known to be a compact JWS and the config complete. */
  function verifyCompactJws(token: string): Promise<VerifyResult> {
    try {
      const startedAt = now();
      const digest = tokenDigest(token);
      const fresh = store === null || store.isFresh(startedAt);
      if (fresh) {
        const hit = results.get(digest);
        if (hit) return Promise.resolve(hit);
      }
      const options = optionsAt(startedAt);
      const headerSegment = token.slice(0, token.indexOf('.'));
      const generation = store?.generation ?? 0;
      const knownKey = fresh ? approvedHeaders.get(headerSegment, generation) : undefined;
      if (knownKey !== undefined) {
        return jwtVerify(token, knownKey, options).then((verified) => accept(verified.payload, digest, startedAt, generation), refused);
      }
      const used = { generation: store ? -1 : 0 };
      const resolveKey = keyResolverFor(used, startedAt);
      if (resolveKey === null) return Promise.resolve(refuse(FAILURES.modeOff));
      return jwtVerify(token, resolveKey, options).then(
        (verified) => {
          if (isCryptoKey(verified.key)) approvedHeaders.remember(headerSegment, verified.key, used.generation);
          return accept(verified.payload, digest, startedAt, used.generation);
        },
        (error: unknown) =>
          tryEachCandidate(token, error, options).then(
            (payload) => accept(payload, digest, startedAt, -1),
            (final: unknown) => refuse(failureFor(final)),
          ),
      );
    } catch (error) {
      return Promise.resolve(refuse(failureFor(error)));
    }
  }

  function verifyAuthorization(headerValue: string | null | undefined): Promise<VerifyResult> {
    if (incomplete !== null) return Promise.resolve(refuse(incomplete));
    const plain = typeof headerValue === 'string' ? plainBearerJws(headerValue) : null;
    if (plain !== null) return verifyCompactJws(plain);
    const token = bearerToken(headerValue);
    return typeof token === 'string' ? verifyToken(token) : Promise.resolve(refuse(token));
  }

  return Object.freeze({
    mode: resolved.mode,
    verifyAuthorization,
    verifyToken,
    async refreshKeys(): Promise<void> {
      if (store) await store.refresh();
    },
    keyStatus(): KeyStatus {
      const status = store?.status() ?? { kids: [], fetchedAt: null, lastFetchError: null };
      return { mode: resolved.mode, jwksUrl: resolved.jwksUrl, ...status };
    },
  });
}
