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
    fix: 'Check the issuer/audience values, or stop enforcing them. Every token must have sub — we use it as the stable user id.',
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
