/**
 * The admin API's wire format (SPEC §4.2): what the config page, the backend
 * and any customer tooling exchange. Paths are under the backend's base URL;
 * every call carries `Authorization: Bearer <admin token>`.
 */
import type { CognitoTokenUse, ConfigWarning, IdentityProvider } from './providers.js';
import type { FailureDetail, FailureReason } from './reasons.js';

export type { CognitoTokenUse, ConfigWarning, IdentityProvider };

export const ADMIN_API = {
  config: '/v1/admin/visitor-sign-in',
  hmacSecret: '/v1/admin/visitor-sign-in/hmac-secret',
  test: '/v1/admin/visitor-sign-in/test',
  keyStatus: '/v1/admin/visitor-sign-in/key-status',
} as const;

export type VisitorSignInMode = 'off' | 'jwks' | 'hmac';

/** GET (and PUT's answer) /v1/admin/visitor-sign-in: every setting, never the secret. */
export interface AdminConfigView {
  mode: VisitorSignInMode;
  /** The identity-provider preset; `custom` when absent (docs/identity-providers.md). */
  provider: IdentityProvider;
  jwksUrl: string | null;
  issuer: string | null;
  /** A string, or several accepted values. */
  audience: string | string[] | null;
  auth0Domain: string | null;
  cognitoUserPoolId: string | null;
  cognitoTokenUse: CognitoTokenUse | null;
  clerkFrontendApiUrl: string | null;
  authorizedParties: string[] | null;
  firebaseProjectId: string | null;
  claimMapping: Record<string, string> | null;
  signInUrl: string | null;
  /** Site origins allowed to call the widget endpoints from a browser (CORS). */
  allowedOrigins: string[];
  hmacSecretSet: boolean;
  /** Valid but risky settings (an empty Issuer or Audience): shown on the config page. */
  warnings: ConfigWarning[];
}

/**
 * PUT /v1/admin/visitor-sign-in body. `hmacSecret` absent or "" keeps the
 * stored secret, null removes it, a string of at least 32 characters replaces it.
 */
export type AdminConfigUpdate = Omit<AdminConfigView, 'hmacSecretSet' | 'warnings' | 'provider' | 'auth0Domain' | 'cognitoUserPoolId' | 'cognitoTokenUse' | 'clerkFrontendApiUrl' | 'authorizedParties' | 'firebaseProjectId'> &
  Partial<Pick<AdminConfigView, 'provider' | 'auth0Domain' | 'cognitoUserPoolId' | 'cognitoTokenUse' | 'clerkFrontendApiUrl' | 'authorizedParties' | 'firebaseProjectId'>> & { hmacSecret?: string | null };

/** POST /v1/admin/visitor-sign-in/hmac-secret: the new secret, this once. */
export interface GeneratedSecretResponse {
  hmacSecret: string;
  message: string;
}

/** POST /v1/admin/visitor-sign-in/test body. */
export interface TestTokenRequest {
  token: string;
  /** Force a JWKS re-pull before verifying ("Refresh JWKS + verify"). */
  refreshJwks?: boolean;
}

/** POST /v1/admin/visitor-sign-in/test answer: the verifier's result, as tools would see it. */
export type TestTokenResponse =
  | { ok: true; identity: { userId: string; [claim: string]: unknown } }
  | { ok: false; reason: FailureReason; message: string; detail?: FailureDetail };

/** GET /v1/admin/visitor-sign-in/key-status: the verifier's key status. */
export interface KeyStatus {
  mode: VisitorSignInMode;
  jwksUrl: string | null;
  kids: string[];
  /** When the keys in use were fetched, ms epoch; null before the first successful fetch. */
  fetchedAt: number | null;
  /** A plain message about the last failed fetch (no secrets), or null after a success. */
  lastFetchError: string | null;
}
