/**
 * Where the sign-in relay keeps its transactions. The interface is small on
 * purpose so that a deployment with several backend instances behind a load
 * balancer can plug in a shared store (Redis, a database): every operation is
 * one atomic step on one key, and nothing else is needed (docs/wire-protocol.md,
 * "Several backend instances").
 */
import { LRUCache } from 'lru-cache';

export interface RelayTransaction {
  /** base64url(SHA-256(ASCII(secret))). */
  readonly secretHash: string;
  /** Epoch ms after which the transaction no longer exists. */
  readonly expiresAt: number;
  /** The delivered token, until it is collected (then null again, and `collected` is true). */
  readonly token: string | null;
  /** Once true, the state can never deliver or be registered again until it expires. */
  readonly collected: boolean;
  /** The sign-in page announced itself (or delivered): the widget keeps waiting even if its popup reads closed. */
  readonly attached: boolean;
}

export interface RelayStore {
  /** Adds a transaction; false when the state already exists (registered, delivered or used). */
  register(state: string, secretHash: string, expiresAt: number, now: number): Promise<boolean>;
  /** Sets the token once, on an unexpired transaction that has none and was never collected; false otherwise. */
  deliver(state: string, token: string, now: number): Promise<boolean>;
  /** Marks an unexpired, unused transaction as attached; false otherwise. */
  attach(state: string, now: number): Promise<boolean>;
  /** The unexpired transaction, or null. */
  get(state: string, now: number): Promise<RelayTransaction | null>;
  /**
   * Hands the token out once: atomically clears it and marks the state used,
   * returning the token; null when there is none (yet). The caller has already
   * checked the secret.
   */
  take(state: string, now: number): Promise<string | null>;
  /** Forgets the transaction's token and marks the state used (cancel). */
  retire(state: string, now: number): Promise<void>;
}

export interface MemoryRelayStoreOptions {
  /** Most transactions kept at once; the oldest go first beyond it. Default 10,000. */
  maxTransactions?: number;
}

/**
 * The embedded default: memory, one process. lru-cache's ttlAutopurge removes
 * every entry (and so every token) the moment its transaction expires, even
 * with no traffic.
 */
export function createMemoryRelayStore(options: MemoryRelayStoreOptions = {}): RelayStore {
  const cache = new LRUCache<string, RelayTransaction>({
    max: options.maxTransactions ?? 10_000,
    ttlAutopurge: true,
    // Each entry's ttl is set from its expiresAt.
    ttl: 1,
  });
  const live = (state: string, now: number): RelayTransaction | null => {
    const found = cache.get(state);
    if (!found) return null;
    if (found.expiresAt <= now) {
      cache.delete(state);
      return null;
    }
    return found;
  };
  const keep = (state: string, transaction: RelayTransaction, now: number): void => {
    cache.set(state, transaction, { ttl: Math.max(1, transaction.expiresAt - now) });
  };
  return {
    async register(state, secretHash, expiresAt, now) {
      if (live(state, now)) return false;
      keep(state, { secretHash, expiresAt, token: null, collected: false, attached: false }, now);
      return true;
    },
    async deliver(state, token, now) {
      const found = live(state, now);
      if (!found || found.token !== null || found.collected) return false;
      keep(state, { ...found, token, attached: true }, now);
      return true;
    },
    async attach(state, now) {
      const found = live(state, now);
      if (!found || found.collected) return false;
      if (!found.attached) keep(state, { ...found, attached: true }, now);
      return true;
    },
    async get(state, now) {
      return live(state, now);
    },
    async take(state, now) {
      const found = live(state, now);
      if (!found || found.token === null) return null;
      keep(state, { ...found, token: null, collected: true }, now);
      return found.token;
    },
    async retire(state, now) {
      const found = live(state, now);
      if (found) keep(state, { ...found, token: null, collected: true }, now);
    },
  };
}
