/**
 * Every way a verification fails, mapped to the public reasons in ONE place:
 * jose's error codes (and the few this module adds) go through one exhaustive
 * switch to a reason, a detail for the log line, and a message saying what to fix.
 * Messages and details never carry token content, claim values or secrets.
 */
import type { FailureDetail, FailureReason } from '../protocol/reasons.js';

/** The verifier's own codes, alongside jose's. */
export const OWN_CODES = {
  embeddedKey: 'ERR_QUINCER_EMBEDDED_KEY',
  invalidSubject: 'ERR_QUINCER_INVALID_SUB',
  jwksFetchFailed: 'ERR_QUINCER_JWKS_FETCH_FAILED',
  algMismatch: 'ERR_QUINCER_ALG_MISMATCH',
  /** A token-type or lifetime rule (issue 9); the error carries the Failure itself. */
  claimRule: 'ERR_QUINCER_CLAIM_RULE',
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
  /** For claimRule and key-set errors: the refusal to report. */
  readonly failure: Failure | undefined;
  constructor(code: OwnCode, message: string, failure?: Failure) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
    this.failure = failure;
  }
}

/** A refusal: the public reason, a fixed detail for the log, and the message for the caller. */
export interface Failure {
  readonly reason: FailureReason;
  readonly detail: FailureDetail;
  readonly message: string;
}

export const failure = (reason: FailureReason, detail: FailureDetail, message: string): Failure => Object.freeze({ reason, detail, message });

/**
 * Refusals decided before any cryptography. Messages name the setting to change,
 * never a button: they are read inside customers' own APIs and the CLI too.
 */
export const FAILURES = {
  noHeader: failure('missing-token', 'no-authorization-header', 'Send the visitor token in an Authorization: Bearer header by calling ChatWidget.identify({ token }) before the visitor sends a message.'),
  otherScheme: failure('missing-token', 'not-bearer-scheme', 'Send the visitor token with the Bearer scheme (Authorization: Bearer <token>) by calling ChatWidget.identify({ token }).'),
  emptyToken: failure('missing-token', 'empty-bearer-token', 'The Authorization header carries an empty Bearer token; call ChatWidget.identify({ token }) with the token your sign-in flow issued.'),
  modeOff: failure('config-incomplete', 'mode-off', 'Visitor sign-in is off; set the mode to JWT + JWKS (jwks) or HMAC shared secret (hmac).'),
  noJwksUrl: failure('config-incomplete', 'no-jwks-url', 'JWT + JWKS mode needs a JWKS URL (or a provider preset that derives it); set the JWKS URL.'),
  noHmacSecret: failure('config-incomplete', 'no-hmac-secret', 'HMAC mode needs a secret; generate one (32 random bytes) and set it as the HMAC secret, then copy it to your backend.'),
  noIssuer: failure('config-incomplete', 'no-issuer', 'OpenID Connect discovery needs the Issuer; set it exactly as your provider shows it (the keys are found at <issuer>/.well-known/openid-configuration).'),
  notCompactJws: failure('malformed-token', 'not-compact-jws', 'Pass the JWT exactly as your auth system issued it: three base64url segments separated by dots, without quotes, spaces or a "Bearer " prefix.'),
  encrypted: failure('malformed-token', 'encrypted-token', 'The token is encrypted (a five-part JWE), not a signed JWT; Auth0 returns these when no audience is requested, so pass your API identifier as the audience when you get the token.'),
} as const;

/** config-incomplete for a key set every tenant shares, naming the missing settings. */
export const sharedKeySetFailure = (message: string): Failure => failure('config-incomplete', 'shared-key-set-needs-issuer-audience', message);
/** config-incomplete for a preset whose own input is missing. */
export const presetIncomplete = (message: string): Failure => failure('config-incomplete', 'no-jwks-url', message);

const BAD_SIGNATURE = failure('bad-signature', 'signature-mismatch', 'The token was signed with a different key than the one configured; after a key rotation re-fetch the keys, and for HMAC set the same secret your backend signs with.');
const UNKNOWN_KID = failure('bad-signature', 'unknown-kid', "No key with the token's kid is published at the JWKS URL, even after re-fetching it; after a rotation, publish the new key in the JWKS before signing with it (unknown kids re-fetch the keys at most once per 30 s, a refresh at once).");
const ALG_MISMATCH = failure('bad-signature', 'alg-mismatch', "A key with the token's kid is published, but its alg (or key type) does not match the token's alg; sign with the algorithm the key declares, or publish the key with the algorithm you sign with.");
const ALG_NOT_ALLOWED = failure('bad-signature', 'alg-not-allowed', "The token's algorithm is not accepted in this mode: JWT + JWKS mode takes RS*, PS*, ES* or EdDSA and HMAC mode takes only HS256.");
const NOT_SUPPORTED = failure('bad-signature', 'not-supported', 'The token uses a critical header extension or key type the verifier does not support; sign it as a plain JWT with a supported algorithm.');
const EMBEDDED_KEY = failure('bad-signature', 'embedded-key', 'The token names its own key in a jwk, jku, x5u or x5c header, which is never trusted; sign it with a key published at your JWKS URL or with the HMAC secret.');
const MULTIPLE_KEYS = failure('bad-signature', 'ambiguous-key', 'The token has no kid and several published keys could match; put the kid of the signing key in the token header.');
const EXPIRED = failure('expired', 'exp-passed', "The token's exp is in the past; refresh the token in your sign-in flow and call identify again.");
const JWKS_FAILED = failure('jwks-fetch-failed', 'jwks-unavailable', 'We could not load keys from the JWKS URL; confirm the URL is public (no authentication), reachable and serves a JWKS as JSON.');
const MALFORMED = failure('malformed-token', 'invalid-jws', 'The token is not a well-formed JWT (its header or claims are not valid JSON); pass the token exactly as your auth system issued it.');
/** Token-type and lifetime rules, and the claim checks jose leaves to us. */
export const CLAIM_RULES = {
  machineToken: failure('bad-claim', 'machine-token', 'This is a machine-to-machine token (client credentials: gty "client-credentials", or sub equal to azp or client_id), not a signed-in visitor; send the visitor\'s own token.'),
  noExp: failure('bad-claim', 'no-exp', 'The token has no exp, which makes it a permanent credential; issue tokens with an expiration time (an hour is typical).'),
  audMissing: failure('bad-claim', 'aud-missing', 'The token has no aud, but an Audience is set; Amazon Cognito access tokens never carry aud (their app client id is in client_id), so use the Cognito preset, which checks client_id for access tokens, or send the ID token.'),
  audMismatch: failure('bad-claim', 'aud-mismatch', "The token's aud holds none of the configured Audience values; add the audience your tokens carry (Auth0: the API identifier; ID tokens: the client id) to Audience."),
  clientIdMismatch: failure('bad-claim', 'client-id-mismatch', "The access token's client_id is not one of the configured app client ids (Audience); add the app client id to Audience."),
  tokenUseMismatch: failure('bad-claim', 'token-use-mismatch', "The token's token_use is not one the Cognito settings accept; accept ID tokens, access tokens or both (cognitoTokenUse), or send the other token."),
  azpMissing: failure('bad-claim', 'azp-missing', 'The token has no azp, but Authorized parties are set; send a session token made for your site (Clerk session tokens carry azp).'),
  azpMismatch: failure('bad-claim', 'azp-mismatch', "The token's azp (the origin it was made for) is not one of the Authorized parties; add that site origin to Authorized parties."),
} as const;
const CLAIM_FAILURES: Readonly<Record<string, Failure>> = {
  iss: failure('bad-claim', 'iss-mismatch', "The token's iss does not match the configured Issuer; set Issuer to the exact iss your provider puts in its tokens."),
  aud: CLAIM_RULES.audMismatch,
  nbf: failure('bad-claim', 'nbf-in-future', "The token's nbf is in the future; check your token issuer's clock."),
  sub: failure('bad-claim', 'invalid-sub', 'Every token must carry a non-empty string sub claim, which becomes the stable user id; add it when you sign the token (String(user.id) for numeric ids).'),
  exp: failure('bad-claim', 'invalid-exp', "The token's exp must be a NumericDate (seconds since the epoch); fix how your sign-in flow sets it."),
  iat: failure('bad-claim', 'invalid-iat', "The token's iat must be a NumericDate (seconds since the epoch); fix how your sign-in flow sets it."),
};
const ISS_TRAILING_SLASH = failure('bad-claim', 'iss-trailing-slash', "The token's iss differs from the configured Issuer only by a trailing slash; set Issuer to the iss exactly, slash included or not (Auth0's issuer ends with a slash, Cognito's does not).");
const ISS_MISSING = failure('bad-claim', 'iss-missing', 'The token has no iss, but an Issuer is set; issue tokens with an iss, or check that this is the right token.');
const OTHER_CLAIM = failure('bad-claim', 'invalid-claim', 'A registered claim of the token is invalid; check iss, aud, sub, exp, nbf and iat in your sign-in flow.');
// Unknown errors fail closed: a token we could not verify is never accepted.
const UNEXPECTED = failure('bad-signature', 'unexpected-error', BAD_SIGNATURE.message);

function claimFailure(error: unknown, expected: string | null): Failure {
  const { claim, reason, payload } = error as { claim?: unknown; reason?: unknown; payload?: { iss?: unknown } };
  if (claim === 'aud' && reason === 'missing') return CLAIM_RULES.audMissing;
  if (claim === 'iss') {
    if (reason === 'missing') return ISS_MISSING;
    const iss = payload?.iss;
    if (typeof iss === 'string' && expected !== null && iss.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) return ISS_TRAILING_SLASH;
  }
  return (typeof claim === 'string' && CLAIM_FAILURES[claim]) || OTHER_CLAIM;
}

/** Maps anything thrown while verifying to a refusal. */
export function failureFor(error: unknown, expectedIssuer: string | null = null): Failure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !KNOWN_CODES.has(code)) return UNEXPECTED;
  const known = code as VerificationErrorCode;
  switch (known) {
    case 'ERR_JWT_EXPIRED':
      return EXPIRED;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimFailure(error, expectedIssuer);
    case 'ERR_QUINCER_INVALID_SUB':
      return CLAIM_FAILURES.sub!;
    case 'ERR_QUINCER_ALG_MISMATCH':
      return ALG_MISMATCH;
    case 'ERR_QUINCER_CLAIM_RULE':
      return (error as VerificationError).failure ?? OTHER_CLAIM;
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
    case 'ERR_QUINCER_JWKS_FETCH_FAILED':
      return (error as { failure?: Failure }).failure ?? JWKS_FAILED;
    case 'ERR_JWKS_TIMEOUT':
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
