/**
 * Remembers successful verifications of the exact same token bytes (SPEC §3):
 * keyed by the token's SHA-256, successes only, never past the token's exp,
 * tied to the key-set generation it was verified under, bounded by an LRU.
 */
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { VerifyResult } from './types.js';

type Success = Extract<VerifyResult, { ok: true }>;

interface Entry {
  readonly result: Success;
  readonly expiresAt: number;
  readonly generation: number;
}

export const tokenDigest = (token: string): string => hash('sha256', token, 'base64url');

export class VerifiedResultCache {
  readonly #lru: LRUCache<string, Entry> | null;

  constructor(maxEntries: number) {
    this.#lru = maxEntries > 0 ? new LRUCache<string, Entry>({ max: maxEntries }) : null;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  get(digest: string, now: number, generation: number): Success | undefined {
    const entry = this.#lru?.get(digest);
    if (!entry) return undefined;
    if (now >= entry.expiresAt || entry.generation !== generation) {
      this.#lru!.delete(digest);
      return undefined;
    }
    return entry.result;
  }

  set(digest: string, result: Success, expiresAt: number, generation: number): void {
    this.#lru?.set(digest, { result, expiresAt, generation });
  }

  clear(): void {
    this.#lru?.clear();
  }
}
