/**
 * Builds the verified identity from a verified claims set: `userId` is always
 * `sub`; without a mapping every non-registered claim is copied; with one,
 * exactly the mapped names are set. The result is deep-copied into frozen
 * null-prototype objects, so claim names such as __proto__ or constructor can
 * neither reach a prototype here nor through later merging by callers.
 */
import type { JWTPayload } from 'jose';
import { FORBIDDEN_CLAIM_NAMES } from './config.js';
import type { VisitorIdentity } from './types.js';

const REGISTERED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti']);
/** Deeper values are dropped; claims sets are small and a 16 KiB token can nest thousands of levels. */
const MAX_DEPTH = 32;
const DROP = Symbol('drop');

function safeCopy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return DROP;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const item of value) {
      const inner = safeCopy(item, depth + 1);
      copy.push(inner === DROP ? null : inner);
    }
    return Object.freeze(copy);
  }
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_CLAIM_NAMES.has(key)) continue;
    const inner = safeCopy((value as Record<string, unknown>)[key], depth + 1);
    if (inner !== DROP) copy[key] = inner;
  }
  return Object.freeze(copy);
}

export function buildIdentity(
  payload: JWTPayload,
  userId: string,
  mapping: ReadonlyArray<readonly [string, string]> | null,
): VisitorIdentity {
  const identity = Object.create(null) as Record<string, unknown>;
  if (mapping === null) {
    for (const claim of Object.keys(payload)) {
      if (REGISTERED_CLAIMS.has(claim) || FORBIDDEN_CLAIM_NAMES.has(claim) || claim === 'userId') continue;
      const value = safeCopy(payload[claim], 0);
      if (value !== DROP) identity[claim] = value;
    }
  } else {
    for (const [outName, claim] of mapping) {
      if (outName === 'userId' || !Object.hasOwn(payload, claim)) continue;
      const value = safeCopy(payload[claim], 0);
      if (value !== DROP) identity[outName] = value;
    }
  }
  identity.userId = userId;
  return Object.freeze(identity) as VisitorIdentity;
}
