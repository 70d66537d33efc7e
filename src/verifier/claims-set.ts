/**
 * The JWT claims set checks of jose's jwtVerify (jose 6, lib/jwt_claims_set.js)
 * for the options the verifier uses: issuer, audience (any of several) and a
 * clock tolerance, with the same order, messages and error classes, so failures
 * map to the same reasons and details (failures.ts).
 */
import { errors, type JWTPayload } from 'jose';
import { isJsonObject, parseJsonBytes } from './compact-jws.js';

export interface ClaimChecks {
  /** The exact iss required, or null for any. */
  readonly issuer: string | null;
  /** The token's aud must hold one of these; null for no aud check. */
  readonly audience: readonly string[] | null;
  readonly toleranceSeconds: number;
}

/** The claims set of a JWT's decoded payload bytes; jose's JWTInvalid unless a JSON object. */
export function parseClaimsSet(bytes: Uint8Array): JWTPayload {
  let claims: unknown;
  try {
    claims = parseJsonBytes(bytes);
  } catch (cause) {
    throw new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object', { cause });
  }
  if (!isJsonObject(claims)) throw new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object');
  return claims as JWTPayload;
}

const failed = (claims: JWTPayload, claim: string, message: string, reason = 'check_failed'): errors.JWTClaimValidationFailed =>
  new errors.JWTClaimValidationFailed(message, claims, claim, reason);

function numericDate(claims: JWTPayload, claim: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw failed(claims, claim, `"${claim}" claim must be a number`, 'invalid');
  return value;
}

function audienceHolds(aud: unknown, audience: readonly string[]): boolean {
  if (typeof aud === 'string') return audience.includes(aud);
  return Array.isArray(aud) && audience.some((value) => aud.includes(value));
}

/** Throws jose's JWTClaimValidationFailed or JWTExpired for the first check the claims fail. */
export function checkClaimsSet(claims: JWTPayload, checks: ClaimChecks, nowSeconds: number): void {
  const { issuer, audience, toleranceSeconds } = checks;
  if (issuer !== null && !Object.hasOwn(claims, 'iss')) throw failed(claims, 'iss', 'missing required "iss" claim', 'missing');
  if (audience !== null && !Object.hasOwn(claims, 'aud')) throw failed(claims, 'aud', 'missing required "aud" claim', 'missing');
  if (issuer !== null && claims.iss !== issuer) throw failed(claims, 'iss', 'unexpected "iss" claim value');
  if (audience !== null && !audienceHolds(claims.aud, audience)) throw failed(claims, 'aud', 'unexpected "aud" claim value');
  numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > nowSeconds + toleranceSeconds) throw failed(claims, 'nbf', '"nbf" claim timestamp check failed');
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= nowSeconds - toleranceSeconds) throw new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
}
