/**
 * Every way a verification fails, mapped to the public reasons in ONE place:
 * jose's error codes (and the few this module adds) go through one exhaustive
 * switch to a reason, a detail for the log line, and a message saying what to fix.
 * Messages and details never carry token content, claim values or secrets.
 */
import type { FailureReason } from '../protocol/reasons.js';

/** The verifier's own codes, alongside jose's. */
export const OWN_CODES = {
  embeddedKey: 'ERR_QUINCER_EMBEDDED_KEY',
  invalidSubject: 'ERR_QUINCER_INVALID_SUB',
  jwksFetchFailed: 'ERR_QUINCER_JWKS_FETCH_FAILED',
} as const;

type JoseCode =
  | 'ERR_JOSE_GENERIC'
  | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED'
  | 'ERR_JWE_DECRYPTION_FAILED'
  | 'ERR_JWE_INVALID'
  | 'ERR_JWS_INVALID'
  | 'ERR_JWT_INVALID'
  | 'ERR_JWK_INVALID'
  | 'ERR_JWKS_INVALID'
  | 'ERR_JWKS_NO_MATCHING_KEY'
  | 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'
  | 'ERR_JWKS_TIMEOUT'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
type OwnCode = (typeof OWN_CODES)[keyof typeof OWN_CODES];
export type VerificationErrorCode = JoseCode | OwnCode;

const KNOWN_CODES: ReadonlySet<string> = new Set<VerificationErrorCode>([
  'ERR_JOSE_GENERIC',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWE_DECRYPTION_FAILED',
  'ERR_JWE_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWK_INVALID',
  'ERR_JWKS_INVALID',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWKS_TIMEOUT',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  ...Object.values(OWN_CODES),
]);

export class VerificationError extends Error {
  readonly code: OwnCode;
  constructor(code: OwnCode, message: string) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
  }
}

/** A refusal: the public reason, a fixed detail for the log, and the message for the caller. */
export interface Failure {
  readonly reason: FailureReason;
  readonly detail: string;
  readonly message: string;
}

const failure = (reason: FailureReason, detail: string, message: string): Failure => Object.freeze({ reason, detail, message });

/** Refusals decided before any cryptography. */
export const FAILURES = {
  noHeader: failure('missing-token', 'no-authorization-header', 'Send the visitor token in an Authorization: Bearer header by calling ChatWidget.identify({ token }) before the visitor sends a message.'),
  otherScheme: failure('missing-token', 'not-bearer-scheme', 'Send the visitor token with the Bearer scheme (Authorization: Bearer <token>) by calling ChatWidget.identify({ token }).'),
  emptyToken: failure('missing-token', 'empty-bearer-token', 'The Authorization header carries an empty Bearer token; call ChatWidget.identify({ token }) with the token your sign-in flow issued.'),
  modeOff: failure('config-incomplete', 'mode-off', 'Visitor sign-in is off; choose JWT + JWKS or HMAC shared secret on the Visitor sign-in config page.'),
  noJwksUrl: failure('config-incomplete', 'no-jwks-url', 'JWT + JWKS mode needs a JWKS URL; enter it on the Visitor sign-in config page.'),
  noHmacSecret: failure('config-incomplete', 'no-hmac-secret', 'HMAC mode needs a secret; click Generate on the Visitor sign-in config page and copy it to your backend.'),
  notCompactJws: failure('malformed-token', 'not-compact-jws', 'Pass the JWT exactly as your auth system issued it: three base64url segments separated by dots, without quotes, spaces or a "Bearer " prefix.'),
} as const;

const BAD_SIGNATURE = failure('bad-signature', 'signature-mismatch', 'The token was signed with a different key than the one configured; after a key rotation click Refresh JWKS + verify, and for HMAC re-copy the secret to your backend.');
const UNKNOWN_KID = failure('bad-signature', 'unknown-kid', "No key with the token's kid is published at the JWKS URL; if you rotated keys, click Refresh JWKS + verify.");
const ALG_NOT_ALLOWED = failure('bad-signature', 'alg-not-allowed', "The token's algorithm is not accepted in this mode: JWT + JWKS mode takes RS*, PS*, ES* or EdDSA and HMAC mode takes only HS256.");
const NOT_SUPPORTED = failure('bad-signature', 'not-supported', 'The token uses a critical header extension or key type the verifier does not support; sign it as a plain JWT with a supported algorithm.');
const EMBEDDED_KEY = failure('bad-signature', 'embedded-key', 'The token names its own key in a jwk, jku, x5u or x5c header, which is never trusted; sign it with a key published at your JWKS URL or with the HMAC secret.');
const MULTIPLE_KEYS = failure('bad-signature', 'ambiguous-key', 'The token has no kid and several published keys could match; put the kid of the signing key in the token header.');
const EXPIRED = failure('expired', 'exp-passed', "The token's exp is in the past; refresh the token in your sign-in flow and call identify again.");
const JWKS_FAILED = failure('jwks-fetch-failed', 'jwks-unavailable', 'We could not load keys from the JWKS URL; confirm the URL is public (no authentication), reachable and serves a JWKS as JSON.');
const MALFORMED = failure('malformed-token', 'invalid-jws', 'The token is not a well-formed JWT (its header or claims are not valid JSON); pass the token exactly as your auth system issued it.');
const CLAIM_FAILURES: Readonly<Record<string, Failure>> = {
  iss: failure('bad-claim', 'iss-mismatch', "The token's iss does not match the configured Issuer; correct the Issuer setting or stop enforcing it."),
  aud: failure('bad-claim', 'aud-mismatch', "The token's aud does not include the configured Audience; correct the Audience setting or stop enforcing it."),
  nbf: failure('bad-claim', 'nbf-in-future', "The token's nbf is in the future; check your token issuer's clock."),
  sub: failure('bad-claim', 'invalid-sub', 'Every token must carry a non-empty string sub claim, which becomes the stable user id; add it when you sign the token.'),
  exp: failure('bad-claim', 'invalid-exp', "The token's exp must be a NumericDate (seconds since the epoch); fix how your sign-in flow sets it."),
  iat: failure('bad-claim', 'invalid-iat', "The token's iat must be a NumericDate (seconds since the epoch); fix how your sign-in flow sets it."),
};
const OTHER_CLAIM = failure('bad-claim', 'invalid-claim', 'A registered claim of the token is invalid; check iss, aud, sub, exp, nbf and iat in your sign-in flow.');
// Unknown errors fail closed: a token we could not verify is never accepted.
const UNEXPECTED = failure('bad-signature', 'unexpected-error', BAD_SIGNATURE.message);

function claimFailure(error: unknown): Failure {
  const claim = (error as { claim?: unknown }).claim;
  return (typeof claim === 'string' && CLAIM_FAILURES[claim]) || OTHER_CLAIM;
}

/** Maps anything thrown while verifying to a refusal. */
export function failureFor(error: unknown): Failure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !KNOWN_CODES.has(code)) return UNEXPECTED;
  const known = code as VerificationErrorCode;
  switch (known) {
    case 'ERR_JWT_EXPIRED':
      return EXPIRED;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimFailure(error);
    case 'ERR_QUINCER_INVALID_SUB':
      return CLAIM_FAILURES.sub!;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return BAD_SIGNATURE;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return UNKNOWN_KID;
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return MULTIPLE_KEYS;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return ALG_NOT_ALLOWED;
    case 'ERR_JOSE_NOT_SUPPORTED':
      return NOT_SUPPORTED;
    case 'ERR_QUINCER_EMBEDDED_KEY':
      return EMBEDDED_KEY;
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return MALFORMED;
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_QUINCER_JWKS_FETCH_FAILED':
      return JWKS_FAILED;
    // A published key that will not import is the key set's fault, not the visitor's.
    case 'ERR_JWK_INVALID':
    case 'ERR_JWKS_INVALID':
      return JWKS_FAILED;
    case 'ERR_JOSE_GENERIC':
    case 'ERR_JWE_DECRYPTION_FAILED':
    case 'ERR_JWE_INVALID':
      return UNEXPECTED;
    default: {
      const unreachable: never = known;
      return unreachable;
    }
  }
}
