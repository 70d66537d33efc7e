/**
 * Remembers successful verifications of the exact same token bytes (SPEC §3):
 * keyed by the token's SHA-256, successes only, never past the token's exp,
 * bounded by lru-cache's LRU. The verifier clears it whenever the key set
 * changes and inserts only results verified under the key set still in use,
 * so every entry belongs to the current keys.
 *
 * Entries are the frozen results themselves, with lru-cache's own TTL on the
 * verifier's clock: no wrapper object per token keeps garbage collection cheap.
 */
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { VerifyResult } from './types.js';

type Success = Extract<VerifyResult, { ok: true }>;

export const tokenDigest = (token: string): string => hash('sha256', token, 'base64url');

export class VerifiedResultCache {
  readonly #lru: LRUCache<string, Success> | null;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number) {
    this.#now = now;
    this.#lru = maxEntries > 0 ? new LRUCache<string, Success>({ max: maxEntries, ttlResolution: 0, perf: { now } }) : null;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /** The remembered success for this digest, if it has not expired. */
  get(digest: string): Success | undefined {
    return this.#lru?.get(digest);
  }

  /** Remembers a success until `expiresAt` (ms epoch on the verifier's clock). */
  set(digest: string, result: Success, expiresAt: number): void {
    // lru-cache serves an entry while now - setAt <= ttl; at expiresAt it must already be gone.
    // (A ttl of 0 would mean "no expiry", hence the lower bound.)
    const ttl = expiresAt - this.#now() - 1;
    if (this.#lru && ttl >= 1) this.#lru.set(digest, result, { ttl });
  }

  clear(): void {
    this.#lru?.clear();
  }
}
