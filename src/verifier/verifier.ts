/**
 * createVisitorVerifier: verifies visitor tokens in JWKS or HMAC mode on top of
 * jose's jwtVerify. Header policy, key lookup, claim mapping and the verified-
 * result cache are the only work added around jose, so first sight of a token
 * costs about what jose costs, and a repeated token costs a hash and a lookup.
 */
import { jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ApprovedHeaders } from './approved-headers.js';
import { bearerToken, plainBearerJws } from './authorization.js';
import { configWarnings, resolveConfig, sharedKeySetGaps } from './config.js';
import { resolveDeps } from './deps.js';
import { CLAIM_RULES, failureFor, FAILURES, OWN_CODES, presetIncomplete, sharedKeySetFailure, VerificationError, type Failure } from './failures.js';
import { HMAC_ALGORITHMS, headerPolicy, JWKS_ALGORITHMS, type HeaderPolicy } from './header-policy.js';
import { buildIdentity } from './identity.js';
import { RemoteKeyStore } from './key-store.js';
import { tokenDigest, VerifiedResultCache } from './result-cache.js';
import { isCompactJwe, isCompactJws } from './token-shape.js';
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

  // A key set every tenant shares is only safe with both iss and aud enforced.
  const sharedGap = resolved.mode === 'jwks' && (resolved.issuer === null || resolved.audience === null);
  let incomplete: Failure | null = null;
  if (resolved.mode === 'off') incomplete = FAILURES.modeOff;
  else if (resolved.mode === 'jwks' && resolved.incomplete !== null) incomplete = presetIncomplete(resolved.incomplete.message);
  else if (resolved.mode === 'jwks' && resolved.provider === 'oidc' && resolved.discoveryUrl === null) incomplete = FAILURES.noIssuer;
  else if (resolved.mode === 'jwks' && resolved.provider !== 'oidc' && resolved.jwksUrl === null) incomplete = FAILURES.noJwksUrl;
  else if (resolved.mode === 'hmac' && resolved.hmacSecret === null) incomplete = FAILURES.noHmacSecret;
  else if (resolved.sharedKeySetUrl && sharedGap) {
    incomplete = sharedKeySetFailure(sharedKeySetGaps(resolved.jwksUrl, resolved.issuer, resolved.audience)!);
  }
  // Recognised only once fetched (an x509 map, or a discovered Google jwks_uri).
  const sharedFailure = sharedGap ? sharedKeySetFailure(sharedKeySetGaps(null, resolved.issuer, resolved.audience)!) : null;
  const warnings = Object.freeze(configWarnings(resolved).map((warning) => Object.freeze(warning)));

  const source =
    resolved.discoveryUrl !== null && resolved.issuer !== null
      ? { discoveryUrl: resolved.discoveryUrl, issuer: resolved.issuer }
      : resolved.jwksUrl !== null
        ? { jwksUrl: resolved.jwksUrl, issuer: resolved.issuer }
        : null;
  const store = resolved.mode === 'jwks' && incomplete === null && source !== null ? new RemoteKeyStore(source, resolvedDeps, () => results.clear()) : null;
  const cognito = resolved.cognitoTokenUse;
  const audiences: ReadonlySet<string> | null = resolved.audience === null ? null : new Set(resolved.audience);
  const parties = resolved.authorizedParties;
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
  // Cognito's audience lives in aud (ID tokens) or client_id (access tokens): checked in accept().
  const baseOptions: JWTVerifyOptions = Object.freeze({
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(resolved.issuer !== null ? { issuer: resolved.issuer } : {}),
    ...(resolved.audience !== null && cognito === null ? { audience: [...resolved.audience] } : {}),
  });
  // With the real clock jose reads it itself; an injected clock is passed on each call.
  const optionsAt = deps.now === undefined ? () => baseOptions : (at: number): JWTVerifyOptions => ({ ...baseOptions, currentDate: new Date(at) });

  function refuse(failure: Failure): VerifyResult {
    try {
      logger.warn({ event: 'visitor-token-refused', reason: failure.reason, detail: failure.detail }, 'visitor token refused');
    } catch {
      // A failing logger must not turn a refusal into a thrown error.
    }
    return { ok: false, reason: failure.reason, message: failure.message, detail: failure.detail };
  }

  /** After a signature verified, an unsafe shared key set outranks every claim problem. */
  const refused = (error: unknown): VerifyResult => {
    const failure = failureFor(error, resolved.issuer);
    if (sharedFailure !== null && store?.shared === true && (failure.reason === 'bad-claim' || failure.reason === 'expired')) return refuse(sharedFailure);
    return refuse(failure);
  };

  /** The token-type and lifetime rules (issue 9), after the signature and jose's claim checks. */
  function ruleBroken(payload: JWTPayload): Failure | null {
    if (sharedFailure !== null && store?.shared === true) return sharedFailure;
    if (typeof payload.exp !== 'number' && !resolved.allowTokensWithoutExp) return CLAIM_RULES.noExp;
    const { azp, client_id: clientId } = payload as { azp?: unknown; client_id?: unknown };
    if (!resolved.allowMachineTokens && (payload.gty === 'client-credentials' || payload.sub === azp || payload.sub === clientId)) {
      return CLAIM_RULES.machineToken;
    }
    if (cognito !== null) {
      const use = payload.token_use;
      if ((use !== 'id' && use !== 'access') || (cognito !== 'both' && use !== cognito)) return CLAIM_RULES.tokenUseMismatch;
      if (audiences !== null) {
        if (use === 'access' && !(typeof clientId === 'string' && audiences.has(clientId))) return CLAIM_RULES.clientIdMismatch;
        if (use === 'id') {
          const aud = payload.aud;
          if (aud === undefined) return CLAIM_RULES.audMissing;
          if (!(typeof aud === 'string' ? audiences.has(aud) : Array.isArray(aud) && aud.some((entry) => audiences.has(entry)))) return CLAIM_RULES.audMismatch;
        }
      }
    }
    if (parties !== null) {
      if (typeof azp !== 'string') return CLAIM_RULES.azpMissing;
      if (!parties.has(azp)) return CLAIM_RULES.azpMismatch;
    }
    return null;
  }

  function accept(payload: JWTPayload, digest: string, startedAt: number, generation: number): VerifyResult {
    try {
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new VerificationError(OWN_CODES.invalidSubject, 'sub must be a non-empty string');
      }
      const broken = ruleBroken(payload);
      if (broken !== null) return refuse(broken);
      const result: Success = Object.freeze({ ok: true, identity: buildIdentity(payload, payload.sub, resolved.claimMapping) });
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : startedAt + resolvedDeps.resultCacheMaxAgeMs;
      // Cached only under the key set that verified it, and only while that set is still the one in use.
      if (generation === (store?.generation ?? 0)) results.set(digest, result, expiresAt);
      return result;
    } catch (error) {
      return refuse(failureFor(error, resolved.issuer));
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
    if (!isCompactJws(token)) return Promise.resolve(refuse(isCompactJwe(token) ? FAILURES.encrypted : FAILURES.notCompactJws));
    return verifyCompactJws(token);
  }

  /** `token` is known to be a compact JWS and the config complete. */
  function verifyCompactJws(token: string): Promise<VerifyResult> {
    if (sharedFailure !== null && store?.shared === true) return Promise.resolve(refuse(sharedFailure));
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
            refused,
          ),
      );
    } catch (error) {
      return Promise.resolve(refuse(failureFor(error, resolved.issuer)));
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
      return { mode: resolved.mode, jwksUrl: store?.jwksUrl ?? resolved.jwksUrl, ...status };
    },
    warnings: () => warnings.map((warning) => ({ ...warning })),
  });
}
