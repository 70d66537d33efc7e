/**
 * Identity-provider presets (issue 9): from the one or two values a provider's
 * console shows, the JWKS URL, issuer and audience the verifier enforces.
 * Pure string work shared by the verifier (which enforces it), the admin API
 * and the config page (which shows the derived values as the person types).
 */

export const PROVIDERS = ['custom', 'auth0', 'cognito', 'clerk', 'firebase', 'oidc'] as const;
export type IdentityProvider = (typeof PROVIDERS)[number];

/** Cognito: which token kinds are accepted (`token_use`). */
export const COGNITO_TOKEN_USES = ['id', 'access', 'both'] as const;
export type CognitoTokenUse = (typeof COGNITO_TOKEN_USES)[number];

export const PROVIDER_LABELS: Readonly<Record<IdentityProvider, string>> = {
  custom: 'Custom (JWKS URL)',
  auth0: 'Auth0',
  cognito: 'Amazon Cognito',
  clerk: 'Clerk',
  firebase: 'Firebase Auth',
  oidc: 'OpenID Connect (discovery)',
};

export const FIREBASE_X509_URL = 'https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com';

/** The preset inputs a config may carry beside the verifier's own settings. */
export interface PresetInputs {
  provider?: IdentityProvider | undefined;
  /** auth0: the tenant domain (`acme.eu.auth0.com`) or a custom domain. */
  auth0Domain?: string | null | undefined;
  /** cognito: the user pool id (`eu-west-1_AbC123`); its prefix is the region. */
  cognitoUserPoolId?: string | null | undefined;
  cognitoTokenUse?: CognitoTokenUse | null | undefined;
  /** clerk: the Frontend API URL (`https://your-app.clerk.accounts.dev`). */
  clerkFrontendApiUrl?: string | null | undefined;
  /** firebase: the project id. */
  firebaseProjectId?: string | null | undefined;
}

/** What a preset derives; `null` where the preset leaves a setting to the customer. */
export interface DerivedSettings {
  jwksUrl: string | null;
  issuer: string | null;
  audience: string[] | null;
}

export type Derivation = { ok: true; derived: DerivedSettings } | { ok: false; field: string; message: string };

const AUTH0_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const COGNITO_POOL = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]{1,64}$/;
const FIREBASE_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const unset = (value: unknown): boolean => value === undefined || value === null || value === '';

/** `acme.eu.auth0.com`, `https://acme.eu.auth0.com/`: the bare host, or null. */
function auth0Host(value: string): string | null {
  const host = value.trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/+$/, '');
  return AUTH0_DOMAIN.test(host) ? host : null;
}

/** The Clerk Frontend API URL as an https origin without trailing slash, or null. */
function clerkOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) return null;
  return url.origin;
}

/** Derives the settings of a preset; `custom` and `oidc` derive nothing beyond what the customer typed. */
export function derivePreset(input: PresetInputs): Derivation {
  const provider = input.provider ?? 'custom';
  switch (provider) {
    case 'custom':
    case 'oidc':
      return { ok: true, derived: { jwksUrl: null, issuer: null, audience: null } };
    case 'auth0': {
      if (unset(input.auth0Domain)) return { ok: false, field: 'auth0Domain', message: 'Enter your Auth0 domain (Settings → Domain), such as acme.eu.auth0.com.' };
      const host = typeof input.auth0Domain === 'string' ? auth0Host(input.auth0Domain) : null;
      if (host === null) return { ok: false, field: 'auth0Domain', message: 'The Auth0 domain is a host name such as acme.eu.auth0.com (or your custom domain), without a path.' };
      return { ok: true, derived: { jwksUrl: `https://${host}/.well-known/jwks.json`, issuer: `https://${host}/`, audience: null } };
    }
    case 'cognito': {
      if (unset(input.cognitoUserPoolId)) return { ok: false, field: 'cognitoUserPoolId', message: 'Enter the Cognito user pool id, such as eu-west-1_AbC123 (User pools → your pool → User pool ID).' };
      const match = typeof input.cognitoUserPoolId === 'string' ? COGNITO_POOL.exec(input.cognitoUserPoolId.trim()) : null;
      if (!match) return { ok: false, field: 'cognitoUserPoolId', message: 'A Cognito user pool id is the region, an underscore and the id, such as eu-west-1_AbC123.' };
      const base = `https://cognito-idp.${match[1]}.amazonaws.com/${match[0]}`;
      return { ok: true, derived: { jwksUrl: `${base}/.well-known/jwks.json`, issuer: base, audience: null } };
    }
    case 'clerk': {
      if (unset(input.clerkFrontendApiUrl)) return { ok: false, field: 'clerkFrontendApiUrl', message: 'Enter the Clerk Frontend API URL (API keys → Frontend API URL), such as https://your-app.clerk.accounts.dev.' };
      const origin = typeof input.clerkFrontendApiUrl === 'string' ? clerkOrigin(input.clerkFrontendApiUrl.trim()) : null;
      if (origin === null) return { ok: false, field: 'clerkFrontendApiUrl', message: 'The Clerk Frontend API URL is an https:// URL without a path, such as https://your-app.clerk.accounts.dev.' };
      return { ok: true, derived: { jwksUrl: `${origin}/.well-known/jwks.json`, issuer: origin, audience: null } };
    }
    case 'firebase': {
      if (unset(input.firebaseProjectId)) return { ok: false, field: 'firebaseProjectId', message: 'Enter the Firebase project id (Project settings → General → Project ID).' };
      const id = typeof input.firebaseProjectId === 'string' ? input.firebaseProjectId.trim() : '';
      if (!FIREBASE_PROJECT.test(id)) return { ok: false, field: 'firebaseProjectId', message: 'A Firebase project id is 6 to 30 lowercase letters, digits and dashes, such as acme-shop-1a2b3.' };
      return { ok: true, derived: { jwksUrl: FIREBASE_X509_URL, issuer: `https://securetoken.google.com/${id}`, audience: [id] } };
    }
    default: {
      const unknown: never = provider;
      return { ok: false, field: 'provider', message: `Unknown provider ${String(unknown)}.` };
    }
  }
}

/**
 * Key documents every tenant of a provider shares: Google's (Firebase and Google
 * Sign-In) and Microsoft Entra ID's. With these only iss and aud say whose token it is.
 */
export function isSharedKeySetUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  return host === 'www.googleapis.com' || host === 'googleapis.com' || host === 'login.microsoftonline.com';
}

/** A warning the config page and the Test card show beside an otherwise valid config. */
export interface ConfigWarning {
  code: 'no-issuer' | 'no-audience' | 'no-authorized-parties';
  message: string;
}
