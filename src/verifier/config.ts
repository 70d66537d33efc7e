/**
 * Visitor sign-in config: field-by-field validation for the admin API and CLI
 * (validateVisitorSignInConfig), and the strict resolution createVisitorVerifier
 * runs once (resolveConfig), which throws a TypeError naming the field to fix.
 * Provider presets are derived here (src/protocol/providers.ts), so the rest of
 * the verifier only sees the settings it enforces.
 */
import {
  COGNITO_TOKEN_USES,
  derivePreset,
  isSharedKeySetUrl,
  PROVIDER_LABELS,
  PROVIDERS,
  type CognitoTokenUse,
  type ConfigWarning,
  type IdentityProvider,
} from '../protocol/providers.js';
import type { VisitorSignInConfig, VisitorSignInMode } from './types.js';
import { urlProblem } from './url-policy.js';

export const MIN_HMAC_SECRET_CHARS = 32;
const MAX_HMAC_SECRET_CHARS = 4096;
const MAX_TEXT_CHARS = 2048;
const MAX_MAPPING_ENTRIES = 100;
const MODES: readonly VisitorSignInMode[] = ['off', 'jwks', 'hmac'];
const MAX_AUDIENCES = 50;
const PRESET_FIELDS = ['auth0Domain', 'cognitoUserPoolId', 'clerkFrontendApiUrl', 'firebaseProjectId'] as const;
const KNOWN_FIELDS = new Set([
  'mode', 'provider', 'jwksUrl', 'issuer', 'audience', 'hmacSecret', 'claimMapping', 'signInUrl',
  ...PRESET_FIELDS, 'cognitoTokenUse', 'authorizedParties', 'allowMachineTokens', 'allowTokensWithoutExp',
]);
const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';
/** Output names that would reach an object's prototype machinery in careless downstream code. */
export const FORBIDDEN_CLAIM_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type ConfigValidation =
  | { ok: true; config: VisitorSignInConfig }
  | { ok: false; fields: Record<string, string> };

/** The config the verifier runs with: every field checked, empty strings read as "not set". */
export interface ResolvedConfig {
  readonly mode: VisitorSignInMode;
  readonly provider: IdentityProvider;
  /** The JWKS URL typed or derived; null for `oidc` (found by discovery) and when not set. */
  readonly jwksUrl: string | null;
  /** `oidc`: `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string | null;
  readonly issuer: string | null;
  /** The accepted audiences, or null when not enforced. */
  readonly audience: readonly string[] | null;
  /** Cognito: which `token_use` values are accepted; null for other providers. */
  readonly cognitoTokenUse: CognitoTokenUse | null;
  /** `azp` must be one of these; null when not enforced. */
  readonly authorizedParties: ReadonlySet<string> | null;
  readonly allowMachineTokens: boolean;
  readonly allowTokensWithoutExp: boolean;
  /** A preset that cannot derive its settings yet (an input is missing): why. */
  readonly incomplete: { readonly field: string; readonly message: string } | null;
  /** The config's URL is a key document every tenant of a provider shares (Google's, Microsoft's). */
  readonly sharedKeySetUrl: boolean;
  readonly hmacSecret: string | null;
  /** [outName, claimName] pairs, or null to copy every non-registered claim. */
  readonly claimMapping: ReadonlyArray<readonly [string, string]> | null;
  readonly signInUrl: string | null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isUnset = (value: unknown): boolean => value === undefined || value === null || value === '';

function checkOptionalText(value: unknown, label: string): string | null {
  if (isUnset(value)) return null;
  if (typeof value !== 'string') return `${label} must be a string.`;
  if (value.length > MAX_TEXT_CHARS) return `${label} must be at most ${MAX_TEXT_CHARS} characters.`;
  if (value.trim() !== value) return `Remove the spaces around the ${label.toLowerCase()}.`;
  return null;
}

function checkOptionalUrl(value: unknown, label: string, allowInsecureHttp: boolean): string | null {
  if (isUnset(value)) return null;
  if (typeof value !== 'string') return `${label} must be a string.`;
  if (value.length > MAX_TEXT_CHARS) return `${label} must be at most ${MAX_TEXT_CHARS} characters.`;
  return urlProblem(value, { allowInsecureHttp });
}

function checkAudience(value: unknown): string | null {
  if (isUnset(value)) return null;
  if (typeof value === 'string') return checkOptionalText(value, 'Audience');
  if (!Array.isArray(value) || value.length > MAX_AUDIENCES) return `Audience must be a string or a list of at most ${MAX_AUDIENCES} strings.`;
  for (const entry of value) {
    if (typeof entry !== 'string' || entry === '') return 'Every Audience value must be a non-empty string.';
    const problem = checkOptionalText(entry, 'Audience');
    if (problem) return problem;
  }
  return null;
}

function checkOrigins(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > MAX_AUDIENCES) return `Authorized parties must be a list of at most ${MAX_AUDIENCES} origins.`;
  for (const entry of value) {
    let origin: string | null = null;
    try {
      origin = typeof entry === 'string' ? new URL(entry).origin : null;
    } catch {
      origin = null;
    }
    if (origin !== entry) return 'Every authorized party is an origin such as https://www.example.com (scheme, host and port; no path or trailing slash).';
  }
  return null;
}

/** The audiences of a config as a list, or null when none is set. */
function audienceList(value: unknown): string[] | null {
  if (typeof value === 'string') return value === '' ? null : [value];
  if (Array.isArray(value)) {
    const list = value.filter((entry): entry is string => typeof entry === 'string' && entry !== '');
    return list.length > 0 ? [...new Set(list)] : null;
  }
  return null;
}

const providerOf = (input: Record<string, unknown>): IdentityProvider =>
  isUnset(input.provider) ? 'custom' : (input.provider as IdentityProvider);

/** Preset problems: a provider's own fields, and settings the preset derives that were typed differently. */
function presetProblems(input: Record<string, unknown>, fields: Record<string, string>, strict: boolean, allowInsecureHttp: boolean): void {
  if (!isUnset(input.provider) && !(PROVIDERS as readonly unknown[]).includes(input.provider)) {
    fields.provider = `Choose a provider: ${PROVIDERS.map((name) => `"${name}"`).join(', ')}.`;
    return;
  }
  const provider = providerOf(input);
  for (const field of PRESET_FIELDS) {
    const problem = checkOptionalText(input[field], field);
    if (problem) fields[field] = problem;
  }
  if (!isUnset(input.cognitoTokenUse) && !(COGNITO_TOKEN_USES as readonly unknown[]).includes(input.cognitoTokenUse)) {
    fields.cognitoTokenUse = 'Choose which Cognito tokens to accept: "id", "access" or "both".';
  }
  const origins = checkOrigins(input.authorizedParties);
  if (origins) fields.authorizedParties = origins;
  for (const flag of ['allowMachineTokens', 'allowTokensWithoutExp'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') fields[flag] = `${flag} must be true or false.`;
  }
  if (provider === 'custom') {
    const url = typeof input.jwksUrl === 'string' ? input.jwksUrl : '';
    if (strict && url !== '' && !fields.jwksUrl && new URL(url).pathname.endsWith(DISCOVERY_SUFFIX)) {
      const issuer = url.slice(0, url.indexOf(DISCOVERY_SUFFIX));
      fields.jwksUrl = `This is an OpenID discovery document, not a key set: choose the OpenID Connect provider with Issuer ${issuer}, or enter the jwks_uri the document names.`;
    }
    return;
  }
  const label = PROVIDER_LABELS[provider];
  if (input.mode === 'hmac') {
    fields.provider = `${label} tokens are verified in JWT + JWKS mode; choose that mode, or the Custom provider for HMAC.`;
    return;
  }
  if (provider === 'oidc') {
    if (!isUnset(input.jwksUrl)) fields.jwksUrl = 'OpenID discovery finds the JWKS URL from the Issuer; leave the JWKS URL empty, or choose the Custom provider.';
    if (typeof input.issuer === 'string' && input.issuer !== '' && !fields.issuer) {
      if (input.issuer.endsWith(DISCOVERY_SUFFIX)) fields.issuer = 'Enter the issuer itself, without /.well-known/openid-configuration.';
      else {
        const problem = urlProblem(input.issuer, { allowInsecureHttp });
        if (problem) fields.issuer = `OpenID discovery reads <issuer>/.well-known/openid-configuration, so the Issuer must be a URL: ${problem}`;
      }
    }
    return;
  }
  const derivation = derivePreset(input);
  if (!derivation.ok) {
    // A missing input leaves the config incomplete (config-incomplete); a malformed one is wrong.
    if (!isUnset(input[derivation.field])) fields[derivation.field] = derivation.message;
    return;
  }
  const { derived } = derivation;
  if (!isUnset(input.jwksUrl) && input.jwksUrl !== derived.jwksUrl) {
    fields.jwksUrl = `The ${label} preset derives the JWKS URL (${derived.jwksUrl}); leave it empty.`;
  }
  if (!isUnset(input.issuer) && input.issuer !== derived.issuer) {
    fields.issuer = `The ${label} preset derives the Issuer (${derived.issuer}); leave it empty.`;
  }
  if (derived.audience !== null && !isUnset(input.audience)) {
    const typed = audienceList(input.audience);
    if (typed === null || typed.length !== derived.audience.length || typed.some((entry, i) => entry !== derived.audience![i])) {
      fields.audience = `The ${label} preset derives the Audience (${derived.audience.join(', ')}); leave it empty.`;
    }
  }
}

/**
 * A key document every tenant shares, recognised by its URL, needs both Issuer
 * and Audience: otherwise any tenant's token verifies. The message names what is missing.
 */
export function sharedKeySetGaps(jwksUrl: string | null, issuer: string | null, audience: readonly string[] | null): string | null {
  const missing = [issuer === null ? 'Issuer' : null, audience === null ? 'Audience' : null].filter((name) => name !== null);
  if (missing.length === 0) return null;
  const url = jwksUrl !== null && isSharedKeySetUrl(jwksUrl) ? 'This JWKS URL serves keys' : 'The key document is an x509 certificate map: its keys are';
  return `${url} shared by every project or tenant of the provider, so a token is yours only if its iss and aud say so: set ${missing.join(' and ')}.`;
}

function checkClaimMapping(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const prototype = isPlainObject(value) ? Object.getPrototypeOf(value) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    return 'Claim mapping must be a JSON object of { "outputName": "claimName" } strings, or null.';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_MAPPING_ENTRIES) return `Claim mapping may have at most ${MAX_MAPPING_ENTRIES} entries.`;
  for (const [outName, claimName] of entries) {
    if (outName === '' || outName.length > 256) return 'Every claim mapping name must be 1 to 256 characters.';
    if (FORBIDDEN_CLAIM_NAMES.has(outName)) return `Claim mapping cannot set "${outName}"; choose another name.`;
    if (typeof claimName !== 'string' || claimName === '' || claimName.length > 256) {
      return `Claim mapping "${outName}" must name a claim (a non-empty string).`;
    }
    if (outName === 'userId' && claimName !== 'sub') return 'Claim mapping "userId" can only be "sub"; the user id is always the sub claim.';
  }
  return null;
}

/**
 * Per-field problems of a config; `strict` (the admin API, the CLI) also rejects
 * unknown fields, a discovery URL typed as a JWKS URL, and a shared key set
 * without Issuer and Audience, unless `stored` (a config read back from storage
 * still loads; the verifier answers config-incomplete for it).
 */
function findProblems(input: Record<string, unknown>, strict: boolean, allowInsecureHttp: boolean, stored = false): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!MODES.includes(input.mode as VisitorSignInMode)) fields.mode = 'Choose a mode: "off", "jwks" or "hmac".';
  const jwksUrl = checkOptionalUrl(input.jwksUrl, 'JWKS URL', allowInsecureHttp);
  if (jwksUrl) fields.jwksUrl = jwksUrl;
  const issuer = checkOptionalText(input.issuer, 'Issuer');
  if (issuer) fields.issuer = issuer;
  const audience = checkAudience(input.audience);
  if (audience) fields.audience = audience;
  if (!isUnset(input.hmacSecret)) {
    if (typeof input.hmacSecret !== 'string') fields.hmacSecret = 'The HMAC secret must be a string.';
    else if (input.hmacSecret.length < MIN_HMAC_SECRET_CHARS) {
      fields.hmacSecret = `The HMAC secret must be at least ${MIN_HMAC_SECRET_CHARS} characters; click Generate for a strong one.`;
    } else if (input.hmacSecret.length > MAX_HMAC_SECRET_CHARS) {
      fields.hmacSecret = `The HMAC secret must be at most ${MAX_HMAC_SECRET_CHARS} characters.`;
    }
  }
  const mapping = checkClaimMapping(input.claimMapping);
  if (mapping) fields.claimMapping = mapping;
  const signInUrl = checkOptionalUrl(input.signInUrl, 'Sign-in URL', allowInsecureHttp);
  if (signInUrl) fields.signInUrl = signInUrl;
  presetProblems(input, fields, strict, allowInsecureHttp);
  if (strict && !stored && input.mode === 'jwks' && Object.keys(fields).length === 0) {
    const provider = providerOf(input);
    const jwksUrl = provider === 'custom' && typeof input.jwksUrl === 'string' && input.jwksUrl !== '' ? input.jwksUrl : null;
    if (jwksUrl !== null && isSharedKeySetUrl(jwksUrl)) {
      const issuer = isUnset(input.issuer) ? null : (input.issuer as string);
      const gap = sharedKeySetGaps(jwksUrl, issuer, audienceList(input.audience));
      if (gap !== null) {
        if (issuer === null) fields.issuer = gap;
        if (audienceList(input.audience) === null) fields.audience = gap;
      }
    }
  }
  if (strict) {
    for (const key of Object.keys(input)) {
      if (!KNOWN_FIELDS.has(key)) fields[key] = 'Unknown field; remove it.';
    }
  }
  return fields;
}

function copyConfig(input: Record<string, unknown>): VisitorSignInConfig {
  const config: VisitorSignInConfig = { mode: input.mode as VisitorSignInMode };
  if (!isUnset(input.provider)) config.provider = input.provider as IdentityProvider;
  for (const key of ['jwksUrl', 'issuer', 'hmacSecret', ...PRESET_FIELDS] as const) {
    if (typeof input[key] === 'string') config[key] = input[key];
  }
  if (typeof input.audience === 'string') config.audience = input.audience;
  else if (Array.isArray(input.audience)) config.audience = [...(input.audience as string[])];
  if (typeof input.cognitoTokenUse === 'string') config.cognitoTokenUse = input.cognitoTokenUse as CognitoTokenUse;
  if (Array.isArray(input.authorizedParties)) config.authorizedParties = [...(input.authorizedParties as string[])];
  if (typeof input.allowMachineTokens === 'boolean') config.allowMachineTokens = input.allowMachineTokens;
  if (typeof input.allowTokensWithoutExp === 'boolean') config.allowTokensWithoutExp = input.allowTokensWithoutExp;
  if (input.claimMapping === null) config.claimMapping = null;
  else if (isPlainObject(input.claimMapping)) config.claimMapping = { ...(input.claimMapping as Record<string, string>) };
  if (input.signInUrl === null || typeof input.signInUrl === 'string') config.signInUrl = input.signInUrl;
  return config;
}

/**
 * Checks every field of a Visitor sign-in config (types, URL syntax, https or
 * loopback for jwksUrl and signInUrl, hmacSecret of at least 32 characters, a
 * claim mapping of strings with userId only "sub", no unknown fields). An
 * incomplete config (a mode without its URL or secret) is valid: the verifier
 * answers `config-incomplete` until it is finished.
 */
export function validateVisitorSignInConfig(input: unknown, options: { stored?: boolean } = {}): ConfigValidation {
  if (!isPlainObject(input)) {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    fields.config = 'Send the config as a JSON object.';
    return { ok: false, fields };
  }
  const fields = findProblems(input, true, false, options.stored === true);
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, config: copyConfig(input) };
}

/** Resolves the config once for createVisitorVerifier; throws a TypeError naming the field to fix. */
export function resolveConfig(config: unknown, allowInsecureHttp: boolean): ResolvedConfig {
  if (!isPlainObject(config)) throw new TypeError('createVisitorVerifier: config must be an object with a "mode".');
  // Extra fields (e.g. the backend's allowedOrigins) are ignored here; the admin API rejects them.
  const fields = findProblems(config, false, allowInsecureHttp);
  const [field, problem] = Object.entries(fields)[0] ?? [];
  if (field !== undefined) throw new TypeError(`createVisitorVerifier: config.${field}: ${problem}`);
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  const mapping = config.claimMapping;
  const provider = providerOf(config);
  let jwksUrl = text(config.jwksUrl);
  let issuer = text(config.issuer);
  let audience = audienceList(config.audience);
  let incomplete: ResolvedConfig['incomplete'] = null;
  if (config.mode === 'jwks' && provider !== 'custom' && provider !== 'oidc') {
    const derivation = derivePreset(config);
    if (derivation.ok) {
      jwksUrl = derivation.derived.jwksUrl;
      issuer = derivation.derived.issuer;
      audience = derivation.derived.audience ?? audience;
    } else {
      incomplete = { field: derivation.field, message: derivation.message };
    }
  }
  const discoveryUrl = config.mode === 'jwks' && provider === 'oidc' && issuer !== null ? `${issuer.replace(/\/$/, '')}${DISCOVERY_SUFFIX}` : null;
  if (provider === 'oidc') jwksUrl = null;
  if (discoveryUrl !== null) {
    const problem = urlProblem(discoveryUrl, { allowInsecureHttp });
    if (problem) throw new TypeError(`createVisitorVerifier: config.issuer: OpenID discovery needs a fetchable issuer URL. ${problem}`);
  }
  const parties = Array.isArray(config.authorizedParties) && config.authorizedParties.length > 0 ? new Set(config.authorizedParties as string[]) : null;
  return Object.freeze({
    mode: config.mode as VisitorSignInMode,
    provider,
    jwksUrl: jwksUrl === null ? null : new URL(jwksUrl).href,
    discoveryUrl,
    issuer,
    audience: audience === null ? null : Object.freeze(audience),
    cognitoTokenUse: provider === 'cognito' ? ((config.cognitoTokenUse as CognitoTokenUse | undefined) ?? 'id') : null,
    authorizedParties: parties,
    allowMachineTokens: config.allowMachineTokens === true,
    allowTokensWithoutExp: config.allowTokensWithoutExp === true,
    incomplete,
    sharedKeySetUrl: jwksUrl !== null && isSharedKeySetUrl(jwksUrl),
    hmacSecret: text(config.hmacSecret),
    claimMapping: isPlainObject(mapping)
      ? Object.freeze(Object.entries(mapping as Record<string, string>).map(([out, claim]) => Object.freeze([out, claim] as const)))
      : null,
    signInUrl: text(config.signInUrl),
  });
}

/** Valid but risky settings: an empty Issuer or Audience lets every application of the tenant sign visitors in. */
export function configWarnings(config: ResolvedConfig): ConfigWarning[] {
  if (config.mode !== 'jwks') return [];
  const warnings: ConfigWarning[] = [];
  if (config.issuer === null && config.provider === 'custom') {
    warnings.push({ code: 'no-issuer', message: 'Issuer is empty: tokens from any issuer that holds these keys are accepted. Set it to the iss your provider puts in its tokens.' });
  }
  if (config.audience === null && config.provider !== 'clerk') {
    warnings.push({ code: 'no-audience', message: 'Audience is empty: any application of this tenant can sign visitors in. Set it to the audience (API identifier or client id) of your application.' });
  }
  if (config.provider === 'clerk' && config.authorizedParties === null) {
    warnings.push({ code: 'no-authorized-parties', message: "Authorized parties is empty: a Clerk session token made for any of this instance's sites is accepted. List your site origins." });
  }
  return warnings;
}

/** The warnings of a config that validates (the admin API's view); [] for one that does not resolve. */
export function visitorSignInWarnings(config: VisitorSignInConfig): ConfigWarning[] {
  try {
    return configWarnings(resolveConfig(config, true));
  } catch {
    return [];
  }
}

