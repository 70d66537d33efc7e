/**
 * What a token's protected header may ask for, per mode: an allowlisted
 * algorithm, and no key of its own. Runs inside the key resolver, which jose
 * calls for every token after parsing the header and before verifying, so
 * nothing outside the policy ever reaches key selection or the signature check.
 */
import { errors, type JWSHeaderParameters } from 'jose';
import { OWN_CODES, VerificationError } from './failures.js';

/** Asymmetric algorithms only: a JWKS must never turn a public key into an HMAC secret. */
export const JWKS_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);
export const HMAC_ALGORITHMS: readonly string[] = Object.freeze(['HS256']);

/** Header parameters through which a token would name its own key; never trusted. */
const EMBEDDED_KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

export type HeaderPolicy = (header: JWSHeaderParameters) => void;

export function headerPolicy(algorithms: readonly string[]): HeaderPolicy {
  const allowed: ReadonlySet<string> = new Set(algorithms);
  return (header) => {
    if (typeof header.alg !== 'string' || !allowed.has(header.alg)) {
      throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    }
    for (const name of EMBEDDED_KEY_HEADERS) {
      if (Object.hasOwn(header, name)) throw new VerificationError(OWN_CODES.embeddedKey, `"${name}" header parameters are not accepted`);
    }
  };
}
