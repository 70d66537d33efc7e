/**
 * Visitor sign-in config: field-by-field validation for the admin API and CLI
 * (validateVisitorSignInConfig), and the strict resolution createVisitorVerifier
 * runs once (resolveConfig), which throws a TypeError naming the field to fix.
 */
import type { VisitorSignInConfig, VisitorSignInMode } from './types.js';
import { urlProblem } from './url-policy.js';

export const MIN_HMAC_SECRET_CHARS = 32;
const MAX_HMAC_SECRET_CHARS = 4096;
const MAX_TEXT_CHARS = 2048;
const MAX_MAPPING_ENTRIES = 100;
const MODES: readonly VisitorSignInMode[] = ['off', 'jwks', 'hmac'];
const KNOWN_FIELDS = new Set(['mode', 'jwksUrl', 'issuer', 'audience', 'hmacSecret', 'claimMapping', 'signInUrl']);
/** Output names that would reach an object's prototype machinery in careless downstream code. */
export const FORBIDDEN_CLAIM_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type ConfigValidation =
  | { ok: true; config: VisitorSignInConfig }
  | { ok: false; fields: Record<string, string> };

/** The config the verifier runs with: every field checked, empty strings read as "not set". */
export interface ResolvedConfig {
  readonly mode: VisitorSignInMode;
  readonly jwksUrl: string | null;
  readonly issuer: string | null;
  readonly audience: string | null;
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

/** Per-field problems of a config; `strict` also rejects unknown fields. */
function findProblems(input: Record<string, unknown>, strict: boolean, allowInsecureHttp: boolean): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!MODES.includes(input.mode as VisitorSignInMode)) fields.mode = 'Choose a mode: "off", "jwks" or "hmac".';
  const jwksUrl = checkOptionalUrl(input.jwksUrl, 'JWKS URL', allowInsecureHttp);
  if (jwksUrl) fields.jwksUrl = jwksUrl;
  const issuer = checkOptionalText(input.issuer, 'Issuer');
  if (issuer) fields.issuer = issuer;
  const audience = checkOptionalText(input.audience, 'Audience');
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
  if (strict) {
    for (const key of Object.keys(input)) {
      if (!KNOWN_FIELDS.has(key)) fields[key] = 'Unknown field; remove it.';
    }
  }
  return fields;
}

function copyConfig(input: Record<string, unknown>): VisitorSignInConfig {
  const config: VisitorSignInConfig = { mode: input.mode as VisitorSignInMode };
  for (const key of ['jwksUrl', 'issuer', 'audience', 'hmacSecret'] as const) {
    if (typeof input[key] === 'string') config[key] = input[key];
  }
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
export function validateVisitorSignInConfig(input: unknown): ConfigValidation {
  if (!isPlainObject(input)) {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    fields.config = 'Send the config as a JSON object.';
    return { ok: false, fields };
  }
  const fields = findProblems(input, true, false);
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
  return Object.freeze({
    mode: config.mode as VisitorSignInMode,
    jwksUrl: text(config.jwksUrl) === null ? null : new URL(config.jwksUrl as string).href,
    issuer: text(config.issuer),
    audience: text(config.audience),
    hmacSecret: text(config.hmacSecret),
    claimMapping: isPlainObject(mapping)
      ? Object.freeze(Object.entries(mapping as Record<string, string>).map(([out, claim]) => Object.freeze([out, claim] as const)))
      : null,
    signInUrl: text(config.signInUrl),
  });
}
