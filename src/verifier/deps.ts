/** VerifierDeps resolved once into a readonly, fully defaulted object. */
import type { lookup as dnsLookup } from 'node:dns';
import type { VerifierDeps, VerifierLogger } from './types.js';

export interface ResolvedDeps {
  /** null: the guarded node:http(s) transport (network-policy.ts). */
  readonly fetch: typeof fetch | null;
  /** null: node:dns's lookup, loaded with the fetch path. */
  readonly lookup: typeof dnsLookup | null;
  readonly allowPrivateNetworks: boolean;
  readonly now: () => number;
  readonly logger: VerifierLogger;
  readonly allowInsecureHttp: boolean;
  readonly cacheMaxAgeMs: number;
  readonly unknownKidCooldownMs: number;
  readonly fetchTimeoutMs: number;
  readonly maxJwksBytes: number;
  readonly staleGraceMs: number;
  readonly resultCacheMaxEntries: number;
  readonly resultCacheMaxAgeMs: number;
}

export const DEFAULTS = Object.freeze({
  cacheMaxAgeMs: 900_000,
  unknownKidCooldownMs: 30_000,
  fetchTimeoutMs: 5_000,
  maxJwksBytes: 256 * 1024,
  staleGraceMs: 3_600_000,
  resultCacheMaxEntries: 10_000,
  resultCacheMaxAgeMs: 300_000,
});
export const MAX_STALE_GRACE_MS = 86_400_000;

function line(level: string, obj: object, msg?: string): void {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...obj, ...(msg ? { msg } : {}) })}\n`);
}
const stderrLogger: VerifierLogger = {
  info: (obj, msg) => line('info', obj, msg),
  warn: (obj, msg) => line('warn', obj, msg),
  error: (obj, msg) => line('error', obj, msg),
};

function duration(deps: VerifierDeps, name: keyof typeof DEFAULTS, options: { min?: number; max?: number } = {}): number {
  const value = deps[name];
  if (value === undefined) return DEFAULTS[name];
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`createVisitorVerifier: deps.${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

export function resolveDeps(deps: VerifierDeps = {}): ResolvedDeps {
  if (typeof deps !== 'object' || deps === null) throw new TypeError('createVisitorVerifier: deps must be an object.');
  const fetchImpl = deps.fetch ?? null;
  if (fetchImpl !== null && typeof fetchImpl !== 'function') throw new TypeError('createVisitorVerifier: deps.fetch must be a function.');
  if (deps.lookup !== undefined && typeof deps.lookup !== 'function') throw new TypeError('createVisitorVerifier: deps.lookup must be a function like dns.lookup.');
  if (deps.now !== undefined && typeof deps.now !== 'function') throw new TypeError('createVisitorVerifier: deps.now must be a function returning ms.');
  const logger = deps.logger ?? stderrLogger;
  if (typeof logger.warn !== 'function' || typeof logger.info !== 'function' || typeof logger.error !== 'function') {
    throw new TypeError('createVisitorVerifier: deps.logger needs info, warn and error methods.');
  }
  return Object.freeze({
    fetch: fetchImpl,
    lookup: deps.lookup ?? null,
    allowPrivateNetworks: deps.allowPrivateNetworks === true,
    now: deps.now ?? Date.now,
    logger,
    allowInsecureHttp: deps.allowInsecureHttp === true,
    cacheMaxAgeMs: duration(deps, 'cacheMaxAgeMs', { min: 1 }),
    unknownKidCooldownMs: duration(deps, 'unknownKidCooldownMs'),
    fetchTimeoutMs: duration(deps, 'fetchTimeoutMs', { min: 1, max: 60_000 }),
    maxJwksBytes: duration(deps, 'maxJwksBytes', { min: 1024, max: 16 * 1024 * 1024 }),
    staleGraceMs: duration(deps, 'staleGraceMs', { max: MAX_STALE_GRACE_MS }),
    resultCacheMaxEntries: duration(deps, 'resultCacheMaxEntries', { max: 10_000_000 }),
    resultCacheMaxAgeMs: duration(deps, 'resultCacheMaxAgeMs'),
  });
}
