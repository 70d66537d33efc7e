/**
 * The config form's values as the person types them, and the two conversions
 * around them: from the server's view into text fields, and from the fields
 * into the PUT body (or the field problems that stop it being built).
 */
import { derivePreset, type CognitoTokenUse, type ConfigWarning, type DerivedSettings, type IdentityProvider } from '../protocol/providers.js';
import type { AdminConfigUpdate, AdminConfigView, VisitorSignInMode } from './api.js';

export interface FormValues {
  mode: VisitorSignInMode;
  provider: IdentityProvider;
  jwksUrl: string;
  issuer: string;
  /** One value per line (or comma-separated); several are accepted alternatives. */
  audience: string;
  auth0Domain: string;
  cognitoUserPoolId: string;
  cognitoTokenUse: CognitoTokenUse;
  clerkFrontendApiUrl: string;
  /** One origin per line. */
  authorizedParties: string;
  firebaseProjectId: string;
  /** JSON text; empty means "no mapping" (copy every non-registered claim). */
  claimMapping: string;
  signInUrl: string;
  /** One origin per line. */
  allowedOrigins: string;
}

export type FieldName = keyof FormValues;
export type FieldErrors = Partial<Record<FieldName, string>>;

export const FIELD_ORDER: readonly FieldName[] = [
  'mode',
  'provider',
  'auth0Domain',
  'cognitoUserPoolId',
  'cognitoTokenUse',
  'clerkFrontendApiUrl',
  'firebaseProjectId',
  'jwksUrl',
  'issuer',
  'audience',
  'authorizedParties',
  'claimMapping',
  'signInUrl',
  'allowedOrigins',
];

export function isFieldName(name: string): name is FieldName {
  return (FIELD_ORDER as readonly string[]).includes(name);
}

export function valuesFromView(view: AdminConfigView): FormValues {
  return {
    mode: view.mode,
    provider: view.provider ?? 'custom',
    jwksUrl: view.jwksUrl ?? '',
    issuer: view.issuer ?? '',
    audience: Array.isArray(view.audience) ? view.audience.join('\n') : (view.audience ?? ''),
    auth0Domain: view.auth0Domain ?? '',
    cognitoUserPoolId: view.cognitoUserPoolId ?? '',
    cognitoTokenUse: view.cognitoTokenUse ?? 'id',
    clerkFrontendApiUrl: view.clerkFrontendApiUrl ?? '',
    authorizedParties: (view.authorizedParties ?? []).join('\n'),
    firebaseProjectId: view.firebaseProjectId ?? '',
    claimMapping: view.claimMapping ? JSON.stringify(view.claimMapping, null, 2) : '',
    signInUrl: view.signInUrl ?? '',
    allowedOrigins: view.allowedOrigins.join('\n'),
  };
}

/**
 * Checks the claim mapping text as the person types: valid JSON, an object of
 * strings, `userId` only `sub`. Returns the problem, or null when it is fine.
 */
export function claimMappingProblem(text: string): string | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${error instanceof SyntaxError ? error.message : 'check the quotes, commas and braces'}.`;
  }
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return 'The claim mapping must be a JSON object such as { "userId": "sub", "email": "email" }.';
  }
  for (const [outName, claimName] of Object.entries(value as Record<string, unknown>)) {
    if (typeof claimName !== 'string' || claimName === '') return `"${outName}" must name a claim as a non-empty string.`;
    if (outName === 'userId' && claimName !== 'sub') return '"userId" can only be "sub": the user id is always the sub claim.';
  }
  return null;
}

export type BuiltUpdate = { ok: true; update: AdminConfigUpdate } | { ok: false; fields: FieldErrors };

export function buildUpdate(values: FormValues): BuiltUpdate {
  const mappingProblem = claimMappingProblem(values.claimMapping);
  if (mappingProblem) return { ok: false, fields: { claimMapping: mappingProblem } };
  const optional = (text: string): string | null => (text.trim() === '' ? null : text.trim());
  const jwks = values.mode === 'jwks';
  const provider: IdentityProvider = jwks ? values.provider : 'custom';
  const uses = PROVIDER_FIELDS[provider];
  const when = (field: FieldName, text: string): string | null => (uses.includes(field) ? optional(text) : null);
  const audiences = uses.includes('audience') ? splitList(values.audience) : [];
  const parties = uses.includes('authorizedParties') ? splitList(values.authorizedParties) : [];
  return {
    ok: true,
    update: {
      mode: values.mode,
      provider,
      jwksUrl: when('jwksUrl', values.jwksUrl),
      issuer: when('issuer', values.issuer),
      audience: audiences.length === 0 ? null : audiences.length === 1 ? audiences[0]! : audiences,
      auth0Domain: when('auth0Domain', values.auth0Domain),
      cognitoUserPoolId: when('cognitoUserPoolId', values.cognitoUserPoolId),
      cognitoTokenUse: uses.includes('cognitoTokenUse') ? values.cognitoTokenUse : null,
      clerkFrontendApiUrl: when('clerkFrontendApiUrl', values.clerkFrontendApiUrl),
      authorizedParties: parties.length === 0 ? null : parties,
      firebaseProjectId: when('firebaseProjectId', values.firebaseProjectId),
      claimMapping: values.claimMapping.trim() === '' ? null : (JSON.parse(values.claimMapping) as Record<string, string> | null),
      signInUrl: optional(values.signInUrl),
      allowedOrigins: values.allowedOrigins
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    },
  };
}

const splitList = (text: string): string[] =>
  text
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** Which fields each provider shows in JWT + JWKS mode (HMAC mode: issuer and audience, as custom). */
export const PROVIDER_FIELDS: Readonly<Record<IdentityProvider, readonly FieldName[]>> = {
  custom: ['jwksUrl', 'issuer', 'audience'],
  auth0: ['auth0Domain', 'audience'],
  cognito: ['cognitoUserPoolId', 'audience', 'cognitoTokenUse'],
  clerk: ['clerkFrontendApiUrl', 'authorizedParties', 'audience'],
  firebase: ['firebaseProjectId'],
  oidc: ['issuer', 'audience'],
};

/** The settings the chosen preset derives from what is typed, for display (the server derives the same). */
export function derivedFor(values: FormValues): DerivedSettings | null {
  if (values.mode !== 'jwks' || values.provider === 'custom' || values.provider === 'oidc') return null;
  const derivation = derivePreset({ ...values, cognitoTokenUse: values.cognitoTokenUse });
  return derivation.ok ? derivation.derived : null;
}

/** What the page says about a saved config's warnings, with its own words. */
export const warningText = (warning: ConfigWarning): string => warning.message;

/**
 * Splits the server's error.fields into the form's fields and the rest
 * (e.g. "allowedOrigins[2]" belongs to allowedOrigins; unknown keys go to the summary).
 */
export function placeServerErrors(fields: Record<string, string>): { byField: FieldErrors; other: string[] } {
  const byField: FieldErrors = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(fields)) {
    const base = key.replace(/\[.*$/, '').replace(/\..*$/, '');
    if (isFieldName(base) && byField[base] === undefined) byField[base] = message;
    else other.push(key === 'hmacSecret' ? message : `${key}: ${message}`);
  }
  return { byField, other };
}

export const MODE_LABELS: Readonly<Record<VisitorSignInMode, string>> = {
  off: 'Off',
  jwks: 'JWT + JWKS',
  hmac: 'HMAC shared secret',
};
