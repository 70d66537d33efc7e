import type { AdminConfigView } from '../protocol/admin.js';
import { validateVisitorSignInConfig, visitorSignInWarnings, type VisitorSignInConfig } from '../verifier/index.js';

/**
 * The stored and administered configuration: the verifier's config plus the
 * site origins allowed to call the widget endpoints from a browser (CORS).
 */
export type AdminVisitorSignInConfig = VisitorSignInConfig & { allowedOrigins: string[] };

export type { AdminConfigView };

export type AdminConfigValidation =
  | { ok: true; config: AdminVisitorSignInConfig }
  | { ok: false; fields: Record<string, string> };

export const DEFAULT_ADMIN_CONFIG: AdminVisitorSignInConfig = Object.freeze({
  mode: 'off',
  signInUrl: null,
  claimMapping: null,
  allowedOrigins: [],
}) as AdminVisitorSignInConfig;

const MAX_ALLOWED_ORIGINS = 100;
/** Settings where null or an empty string means "not set". */
const OPTIONAL_STRINGS = [
  'jwksUrl', 'issuer', 'audience', 'provider', 'auth0Domain', 'cognitoUserPoolId', 'cognitoTokenUse',
  'clerkFrontendApiUrl', 'firebaseProjectId', 'authorizedParties',
] as const;

export function validateAllowedOrigins(value: unknown): { ok: true; origins: string[] } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, origins: [] };
  if (!Array.isArray(value)) {
    return { ok: false, message: 'allowedOrigins must be an array of origins such as "https://www.example.com".' };
  }
  if (value.length > MAX_ALLOWED_ORIGINS) {
    return { ok: false, message: `allowedOrigins can list at most ${MAX_ALLOWED_ORIGINS} origins.` };
  }
  const origins: string[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== 'string' || !isOrigin(entry)) {
      return {
        ok: false,
        message: `allowedOrigins[${index}] must be an origin: http(s)://host[:port] with no path, query or trailing slash.`,
      };
    }
    if (!origins.includes(entry)) origins.push(entry);
  }
  return { ok: true, origins };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Validates a whole admin config. Null and empty strings for the optional
 * settings mean "not set"; `hmacSecretSet` (as sent back from a GET) is
 * ignored; every other unknown field is refused by the verifier's validator.
 */
export function validateAdminConfig(input: unknown, options: { stored?: boolean } = {}): AdminConfigValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, fields: { config: 'The config must be a JSON object.' } };
  }
  const { allowedOrigins, hmacSecretSet: _readOnly, warnings: _warnings, ...rest } = input as Record<string, unknown>;
  const signInConfig: Record<string, unknown> = { ...rest };
  for (const key of OPTIONAL_STRINGS) {
    const value = signInConfig[key];
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) delete signInConfig[key];
  }
  if (signInConfig.signInUrl === '') signInConfig.signInUrl = null;

  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const origins = validateAllowedOrigins(allowedOrigins);
  if (!origins.ok) fields.allowedOrigins = origins.message;
  const verified = validateVisitorSignInConfig(signInConfig, { stored: options.stored === true });
  if (!verified.ok) Object.assign(fields, verified.fields);
  if (!verified.ok || !origins.ok) return { ok: false, fields };
  return { ok: true, config: { ...verified.config, allowedOrigins: origins.origins } };
}

export function toConfigView(config: AdminVisitorSignInConfig): AdminConfigView {
  const { allowedOrigins: _origins, ...signInConfig } = config;
  return {
    mode: config.mode,
    provider: config.provider ?? 'custom',
    jwksUrl: config.jwksUrl ?? null,
    issuer: config.issuer ?? null,
    audience: Array.isArray(config.audience) ? [...config.audience] : (config.audience ?? null),
    auth0Domain: config.auth0Domain ?? null,
    cognitoUserPoolId: config.cognitoUserPoolId ?? null,
    cognitoTokenUse: config.cognitoTokenUse ?? null,
    clerkFrontendApiUrl: config.clerkFrontendApiUrl ?? null,
    authorizedParties: config.authorizedParties ? [...config.authorizedParties] : null,
    firebaseProjectId: config.firebaseProjectId ?? null,
    warnings: visitorSignInWarnings(signInConfig),
    claimMapping: config.claimMapping ?? null,
    signInUrl: config.signInUrl ?? null,
    allowedOrigins: [...config.allowedOrigins],
    hmacSecretSet: typeof config.hmacSecret === 'string' && config.hmacSecret.length > 0,
  };
}
