/**
 * The verifier's failure reasons: the public, stable codes of visitor sign-in.
 * Shared by the verifier, the backend, the widget, the config page and the CLI.
 */
export const FAILURE_REASONS = [
  'missing-token',
  'config-incomplete',
  'expired',
  'bad-signature',
  'bad-claim',
  'jwks-fetch-failed',
  'malformed-token',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Why a secure tool was refused. Every verifier reason, plus `missing-claim`:
 * the token verified but the identity lacks a claim the tool requires.
 */
export type RefusalReason = FailureReason | 'missing-claim';

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === 'string' && (FAILURE_REASONS as readonly string[]).includes(value);
}

/** Reasons a visitor can cure by signing in (again); SPEC §2.6. */
export const SIGN_IN_CURABLE_REASONS: readonly RefusalReason[] = [
  'missing-token',
  'expired',
  'bad-signature',
];

export function isCurableBySignIn(reason: RefusalReason): boolean {
  return SIGN_IN_CURABLE_REASONS.includes(reason);
}

/** The documentation's table: what each reason means and how the customer fixes it. */
export const REASON_HELP: Readonly<Record<FailureReason, { meaning: string; fix: string }>> = {
  'missing-token': {
    meaning: 'No Authorization: Bearer header on the request.',
    fix: 'Call ChatWidget.identify({ token }) before the visitor sends a message.',
  },
  'config-incomplete': {
    meaning: "You picked a mode but didn't finish setup.",
    fix: 'JWT mode needs a JWKS URL; HMAC needs a secret.',
  },
  expired: {
    meaning: "The token's exp is past.",
    fix: 'Refresh the token in your sign-in flow and re-call identify.',
  },
  'bad-signature': {
    meaning: 'Token signed with a different key than we have.',
    fix: 'Rotated keys? Click Refresh JWKS + verify. HMAC mismatch? Re-copy the secret to your backend.',
  },
  'bad-claim': {
    meaning: "iss / aud enforced and the token doesn't match; or no sub claim.",
    fix: 'Check the detail below: it names the claim and the setting to correct. Leaving Issuer or Audience empty is not a fix: it lets every application of your identity provider tenant (or, with a shared key set such as Firebase\'s, any project) sign visitors in. Every token must have sub (the stable user id) and exp.',
  },
  'jwks-fetch-failed': {
    meaning: "We couldn't reach the JWKS URL.",
    fix: 'Confirm the URL is public (no auth required) and serves JSON.',
  },
  'malformed-token': {
    meaning: 'The value is not a compact JWS (three base64url segments separated by dots).',
    fix: 'Pass the JWT string exactly as your auth system issued it, without quotes, spaces or a "Bearer " prefix.',
  },
};

/**
 * The stable detail codes of failed verifications (issue 9): one per distinct
 * cause, beside the reason. Logged (never with claim values), returned in
 * VerifyResult.detail, shown on the Test card and by quincer-verify.
 */
export const FAILURE_DETAILS = {
  // missing-token
  'no-authorization-header': { reason: 'missing-token', fix: 'Call ChatWidget.identify({ token }) before the visitor sends a message.' },
  'not-bearer-scheme': { reason: 'missing-token', fix: 'Send Authorization: Bearer <token>.' },
  'empty-bearer-token': { reason: 'missing-token', fix: 'Pass the token your sign-in flow issued to ChatWidget.identify({ token }).' },
  // config-incomplete
  'mode-off': { reason: 'config-incomplete', fix: 'Choose JWT + JWKS or HMAC shared secret and Save.' },
  'no-jwks-url': { reason: 'config-incomplete', fix: 'Enter the JWKS URL, or pick your provider so it is derived.' },
  'no-hmac-secret': { reason: 'config-incomplete', fix: 'Click Generate and copy the secret to your backend.' },
  'no-issuer': { reason: 'config-incomplete', fix: 'OpenID Connect discovery needs the Issuer: enter it exactly as your provider shows it.' },
  'shared-key-set-needs-issuer-audience': { reason: 'config-incomplete', fix: 'This key document is shared by every tenant of the provider: set both Issuer and Audience (or pick the provider preset, which sets them).' },
  // malformed-token
  'not-compact-jws': { reason: 'malformed-token', fix: 'Paste the JWT exactly as issued: three base64url segments, no quotes or "Bearer ".' },
  'encrypted-token': { reason: 'malformed-token', fix: 'This is an encrypted token (JWE). With Auth0, request an audience (your API identifier) so getTokenSilently() returns a signed JWT.' },
  'invalid-jws': { reason: 'malformed-token', fix: 'Paste the token exactly as your auth system issued it.' },
  // bad-signature
  'signature-mismatch': { reason: 'bad-signature', fix: 'Rotated keys? Click Refresh JWKS + verify. HMAC mismatch? Re-copy the secret to your backend.' },
  'unknown-kid': { reason: 'bad-signature', fix: 'Publish a new key in the JWKS before signing with it; then click Refresh JWKS + verify.' },
  'alg-mismatch': { reason: 'bad-signature', fix: 'Sign with the algorithm the published key declares (its alg), or publish the key for the algorithm you sign with.' },
  'alg-not-allowed': { reason: 'bad-signature', fix: 'JWT + JWKS mode takes RS*, PS*, ES* or EdDSA; HMAC mode takes HS256.' },
  'not-supported': { reason: 'bad-signature', fix: 'Sign a plain JWT with a supported algorithm and no critical header extensions.' },
  'embedded-key': { reason: 'bad-signature', fix: 'Remove jwk / jku / x5u / x5c from the token header; the key must come from your JWKS.' },
  'ambiguous-key': { reason: 'bad-signature', fix: 'Put the signing key\'s kid in the token header.' },
  'unexpected-error': { reason: 'bad-signature', fix: 'Re-issue the token; if it keeps failing, report it with the detail code.' },
  // expired
  'exp-passed': { reason: 'expired', fix: 'Refresh the token in your sign-in flow and re-call identify (short-lived tokens need the refresh provider).' },
  // bad-claim
  'iss-mismatch': { reason: 'bad-claim', fix: 'Set Issuer to the exact iss your provider puts in its tokens (compare the two below).' },
  'iss-trailing-slash': { reason: 'bad-claim', fix: 'The token\'s iss and the Issuer differ only by a trailing slash: copy the iss exactly (Auth0\'s ends with "/").' },
  'iss-missing': { reason: 'bad-claim', fix: 'The token has no iss; issue tokens with one, or check you pasted the right token.' },
  'aud-mismatch': { reason: 'bad-claim', fix: 'Add the token\'s aud to Audience (or request the API identifier you configured when getting the token).' },
  'aud-missing': { reason: 'bad-claim', fix: 'The token has no aud. Cognito access tokens never carry one: accept access tokens with the Cognito preset (it checks client_id), or send ID tokens.' },
  'client-id-mismatch': { reason: 'bad-claim', fix: 'Add the token\'s client_id (the app client id) to the app client ids.' },
  'token-use-mismatch': { reason: 'bad-claim', fix: 'Accept this token kind (ID or access) in the Cognito settings, or send the other token.' },
  'azp-mismatch': { reason: 'bad-claim', fix: 'Add the token\'s azp (the origin the token was made for) to Authorized parties.' },
  'azp-missing': { reason: 'bad-claim', fix: 'The token has no azp; use a Clerk session token, or clear Authorized parties.' },
  'machine-token': { reason: 'bad-claim', fix: 'This is a machine-to-machine token (client credentials); send the signed-in visitor\'s token instead.' },
  'no-exp': { reason: 'bad-claim', fix: 'Issue tokens with an exp (an hour is typical): a token without one is a permanent credential.' },
  'nbf-in-future': { reason: 'bad-claim', fix: 'Check the clock of the server that issues tokens.' },
  'invalid-sub': { reason: 'bad-claim', fix: 'Set sub to the user id as a non-empty string (String(user.id) for numeric ids).' },
  'invalid-exp': { reason: 'bad-claim', fix: 'Set exp as seconds since the epoch.' },
  'invalid-iat': { reason: 'bad-claim', fix: 'Set iat as seconds since the epoch.' },
  'invalid-claim': { reason: 'bad-claim', fix: 'Check iss, aud, sub, exp, nbf and iat.' },
  // jwks-fetch-failed
  'jwks-unavailable': { reason: 'jwks-fetch-failed', fix: 'Confirm the JWKS URL is public (no auth required) and serves JSON; the key status below says what went wrong.' },
  'private-network': { reason: 'jwks-fetch-failed', fix: 'The URL resolves to a private, loopback or link-local address; use a public URL, or let the operator allow private networks.' },
  'discovery-failed': { reason: 'jwks-fetch-failed', fix: 'Confirm <issuer>/.well-known/openid-configuration is public and names a jwks_uri.' },
  'discovery-issuer-mismatch': { reason: 'jwks-fetch-failed', fix: 'Set Issuer to exactly the issuer your discovery document names (OpenID Connect Discovery §4.3).' },
} as const satisfies Record<string, { reason: FailureReason; fix: string }>;

export type FailureDetail = keyof typeof FAILURE_DETAILS;

export function isFailureDetail(value: unknown): value is FailureDetail {
  return typeof value === 'string' && Object.hasOwn(FAILURE_DETAILS, value);
}
