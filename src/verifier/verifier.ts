/**
 * createVisitorVerifier: verifies visitor tokens in JWKS or HMAC mode. jose
 * fetches nothing here but selects and imports the published keys
 * (createLocalJWKSet) and supplies the error classes; the token itself is read
 * and checked by the rules of jose's jwtVerify (compact-jws.ts, claims-set.ts)
 * with node:crypto doing the signature check (signature.ts), then the header
 * policy, the issue 9 token rules, claim mapping and the verified-result cache.
 * A repeated token costs a hash and a lookup.
 */
import { errors, type JWTPayload } from 'jose';
import { ApprovedHeaders } from './approved-headers.js';
import { bearerToken, plainBearerJws } from './authorization.js';
import { checkClaimsSet, parseClaimsSet, type ClaimChecks } from './claims-set.js';
import { decodeSegment, headerSegment, parseProtectedHeader, payloadSegment, signatureSegment, signingInput, splitCompactJws, type CompactJws } from './compact-jws.js';
import { configWarnings, resolveConfig, sharedKeySetGaps } from './config.js';
import { resolveDeps } from './deps.js';
import { CLAIM_RULES, failureFor, FAILURES, OWN_CODES, presetIncomplete, sharedKeySetFailure, VerificationError, type Failure } from './failures.js';
import { HMAC_ALGORITHMS, headerPolicy, JWKS_ALGORITHMS } from './header-policy.js';
import { buildIdentity } from './identity.js';
import { RemoteKeyStore } from './key-store.js';
import { tokenDigest, VerifiedResultCache } from './result-cache.js';
import { hmacVerificationKey, signatureValid, verificationKeyFor, type VerificationKey } from './signature.js';
import { isCompactJwe, isCompactJws } from './token-shape.js';
import type { KeyStatus, VerifierDeps, VerifyResult, VisitorIdentity, VisitorSignInConfig, VisitorVerifier } from './types.js';

export { HMAC_ALGORITHMS, JWKS_ALGORITHMS };
/** Seconds of clock skew accepted on exp and nbf. */
export const CLOCK_TOLERANCE_SECONDS = 30;

type Success = { readonly ok: true; readonly identity: VisitorIdentity };

/**
 * The claims of a compact JWS whose signature `key` verifies, in the order of
 * jose's jwtVerify: signature, payload encoding, claims set. Rejects with jose's
 * error classes.
 */
function verifiedClaims(jws: CompactJws, alg: string, key: CryptoKey | VerificationKey, b64: boolean, checks: ClaimChecks, nowSeconds: number): Promise<JWTPayload> {
  try {
    const signature = decodeSegment(signatureSegment(jws), 'signature');
    const verificationKey = key instanceof CryptoKey ? verificationKeyFor(key, alg) : key;
    const valid = signatureValid(verificationKey, signingInput(jws), signature);
    const claims = (isValid: boolean): JWTPayload => {
      if (!isValid) throw new errors.JWSSignatureVerificationFailed();
      if (!b64) throw new errors.JWTInvalid('JWTs MUST NOT use unencoded payload');
      const payload = parseClaimsSet(decodeSegment(payloadSegment(jws), 'payload'));
      checkClaimsSet(payload, checks, nowSeconds);
      return payload;
    };
    return typeof valid === 'boolean' ? Promise.resolve(claims(valid)) : valid.then(claims);
  } catch (error) {
    return Promise.reject(error);
  }
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
  const hmacKey = resolved.mode === 'hmac' && resolved.hmacSecret !== null ? hmacVerificationKey(resolved.hmacSecret) : null;
  // Missing `sub` is checked in accept(), the alg allowlist by the header policy.
  // Cognito's audience lives in aud (ID tokens) or client_id (access tokens): checked in ruleBroken().
  const claimChecks: ClaimChecks = Object.freeze({
    issuer: resolved.issuer,
    audience: resolved.audience !== null && cognito === null ? Object.freeze([...resolved.audience]) : null,
    toleranceSeconds: CLOCK_TOLERANCE_SECONDS,
  });

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

  // No kid and several candidate keys: jose's key set hands us each candidate to try.
  async function tryEachCandidate(jws: CompactJws, alg: string, b64: boolean, error: unknown, nowSeconds: number): Promise<JWTPayload> {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    for await (const candidate of error as AsyncIterable<CryptoKey>) {
      try {
        return await verifiedClaims(jws, alg, candidate, b64, claimChecks, nowSeconds);
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
      const nowSeconds = Math.floor(startedAt / 1000);
      const jws = splitCompactJws(token);
      const segment = headerSegment(jws);
      const generation = store?.generation ?? 0;
      // The same header bytes parse the same, pass the policy and select the same key again.
      const known = fresh ? approvedHeaders.get(segment, generation) : undefined;
      if (known !== undefined) {
        return verifiedClaims(jws, known.algorithm.alg, known, true, claimChecks, nowSeconds).then((payload) => accept(payload, digest, startedAt, generation), refused);
      }
      const { header, b64 } = parseProtectedHeader(segment);
      policy(header);
      const { alg } = header;
      let keyFound: Promise<{ key: CryptoKey | VerificationKey; generation: number }>;
      if (store === null) {
        if (hmacKey === null) return Promise.resolve(refuse(FAILURES.modeOff));
        keyFound = Promise.resolve({ key: hmacKey, generation: 0 });
      } else {
        const selected = store.selectedKey(header, startedAt);
        keyFound = selected
          ? Promise.resolve({ key: selected, generation: store.generation })
          : store.getKey(header, { protected: segment, payload: payloadSegment(jws), signature: signatureSegment(jws) });
      }
      return keyFound.then(
        ({ key, generation: keyGeneration }) =>
          verifiedClaims(jws, alg, key, b64, claimChecks, nowSeconds).then((payload) => {
            approvedHeaders.remember(segment, key instanceof CryptoKey ? verificationKeyFor(key, alg) : key, keyGeneration);
            return accept(payload, digest, startedAt, keyGeneration);
          }, refused),
        (error: unknown) =>
          tryEachCandidate(jws, alg, b64, error, nowSeconds).then(
            (payload) => accept(payload, digest, startedAt, -1),
            refused,
          ),
      ).catch(refused);
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
