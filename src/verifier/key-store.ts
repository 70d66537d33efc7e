/**
 * The remote key set of JWKS mode. jose's createRemoteJWKSet reads Date.now()
 * and has no stale-if-error, size cap or redirect policy, so this store owns the
 * timing and the fetch, and hands each fetched set to jose's createLocalJWKSet,
 * which selects keys by kid/alg and imports each key once per set.
 *
 * - Keys are used for cacheMaxAgeMs; concurrent callers share one fetch.
 * - No fetch starts within the cooldown of the previous one unless forced: an
 *   unknown kid or an outage costs at most one fetch per cooldown.
 * - When a re-pull fails, expired keys keep serving for staleGraceMs (logged).
 */
import { createLocalJWKSet, errors, type JWK, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { ResolvedDeps } from './deps.js';
import { fetchJsonDocument, KeySetFetchError } from './fetch-document.js';
import { toJwks } from './key-set-document.js';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

interface KeySet {
  readonly resolve: LocalKeySet;
  /** Which key set this is; equal fingerprints keep the generation. */
  generation: number;
  /** Keys jose already selected and imported from this set, by alg then kid: the hot path skips the lookup. */
  readonly selected: Map<string, Map<string, CryptoKey>>;
  readonly kids: readonly string[];
  readonly fetchedAt: number;
  readonly fingerprint: string;
}

export class RemoteKeyStore {
  #current: KeySet | null = null;
  #pending: Promise<void> | null = null;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastFetchError: string | null = null;
  #startedSequence = 0;
  #appliedSequence = 0;
  #generation = 0;
  #graceLoggedFor = 0;
  readonly #url: string;
  readonly #host: string;
  readonly #deps: ResolvedDeps;
  readonly #onChange: () => void;

  constructor(url: string, deps: ResolvedDeps, onChange: () => void) {
    this.#url = url;
    this.#host = new URL(url).host;
    this.#deps = deps;
    this.#onChange = onChange;
  }

  /** Bumped whenever the keys in use change (new set, or expired past grace). */
  get generation(): number {
    return this.#generation;
  }

  /** True while the keys in use are within cacheMaxAgeMs (no re-pull due). */
  isFresh(now: number): boolean {
    return this.#current !== null && now < this.#current.fetchedAt + this.#deps.cacheMaxAgeMs;
  }

  status(): { kids: string[]; fetchedAt: number | null; lastFetchError: string | null } {
    return {
      kids: [...(this.#current?.kids ?? [])],
      fetchedAt: this.#current?.fetchedAt ?? null,
      lastFetchError: this.#lastFetchError,
    };
  }

  /** Forces a re-pull, ignoring cache age and cooldown. Never rejects. */
  async refresh(): Promise<void> {
    await this.#startFetch().catch(() => {});
  }

  /**
   * The key for this header without any waiting, when fresh keys already gave it
   * out for the same alg and kid; otherwise undefined (use getKey). The key
   * belongs to the generation `generation` reports at the same moment.
   */
  selectedKey(header: JWSHeaderParameters, now: number): CryptoKey | undefined {
    const current = this.#current;
    if (current === null || typeof header.kid !== 'string' || typeof header.alg !== 'string' || now >= current.fetchedAt + this.#deps.cacheMaxAgeMs) return undefined;
    return current.selected.get(header.alg)?.get(header.kid);
  }

  /**
   * The public key for this header, fetching keys when due, with the generation
   * of the key set it came from (so a result is cached only under that set).
   */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<{ key: CryptoKey; generation: number }> {
    const keys = await this.#usableKeys();
    try {
      return { key: await this.#select(keys, header, token), generation: keys.generation };
    } catch (error) {
      if ((error as { code?: unknown }).code !== errors.JWKSNoMatchingKey.code) throw error;
      // An unknown kid may be a rotation: re-pull, but at most once per cooldown.
      if (this.#pending) await this.#pending.catch(() => {});
      else if (this.#cooldownOver()) await this.#startFetch().catch(() => {});
      else throw error;
      const current = this.#current;
      if (!current || current === keys) throw error;
      return { key: await this.#select(current, header, token), generation: current.generation };
    }
  }

  async #select(keys: KeySet, header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const key = await keys.resolve(header, token);
    if (typeof header.kid === 'string' && typeof header.alg === 'string') {
      let byKid = keys.selected.get(header.alg);
      if (!byKid) keys.selected.set(header.alg, (byKid = new Map()));
      byKid.set(header.kid, key);
    }
    return key;
  }

  #cooldownOver(): boolean {
    return this.#deps.now() >= this.#lastAttemptAt + this.#deps.unknownKidCooldownMs;
  }

  async #usableKeys(): Promise<KeySet> {
    const now = this.#deps.now();
    if (this.#current && now < this.#current.fetchedAt + this.#deps.cacheMaxAgeMs) return this.#current;
    if (this.#pending) await this.#pending.catch(() => {});
    else if (this.#cooldownOver()) await this.#startFetch().catch(() => {});
    return this.#keysOrGrace();
  }

  #keysOrGrace(): KeySet {
    const current = this.#current;
    const now = this.#deps.now();
    if (current && now < current.fetchedAt + this.#deps.cacheMaxAgeMs) return current;
    if (current && now < current.fetchedAt + this.#deps.cacheMaxAgeMs + this.#deps.staleGraceMs) {
      if (this.#graceLoggedFor !== this.#lastAttemptAt) {
        this.#graceLoggedFor = this.#lastAttemptAt;
        this.#log(
          'warn',
          { event: 'jwks-stale-keys-served', jwksHost: this.#host, keysAgeMs: now - current.fetchedAt, graceEndsAt: current.fetchedAt + this.#deps.cacheMaxAgeMs + this.#deps.staleGraceMs },
          'JWKS re-pull failed; serving the previous keys within the grace period',
        );
      }
      return current;
    }
    if (current) {
      this.#current = null;
      this.#changed();
      this.#log('error', { event: 'jwks-keys-expired', jwksHost: this.#host }, 'JWKS keys expired past the grace period; verifications fail until the URL answers');
    }
    throw new KeySetFetchError(this.#lastFetchError ?? 'The JWKS URL could not be reached.');
  }

  /** Logging must never turn a key-set event into a failed verification. */
  #log(level: 'warn' | 'error', obj: object, msg: string): void {
    try {
      this.#deps.logger[level](obj, msg);
    } catch {
      // Nothing sensible to do with a broken logger.
    }
  }

  #changed(): void {
    this.#generation++;
    this.#onChange();
  }

  #startFetch(): Promise<void> {
    const sequence = ++this.#startedSequence;
    this.#lastAttemptAt = this.#deps.now();
    const attempt = this.#fetchKeySet().then(
      (next) => {
        if (sequence <= this.#appliedSequence) return;
        this.#appliedSequence = sequence;
        const previous = this.#current;
        this.#lastFetchError = null;
        if (previous?.fingerprint === next.fingerprint) {
          next.generation = previous.generation;
          this.#current = next;
        } else {
          this.#changed();
          next.generation = this.#generation;
          this.#current = next;
        }
      },
      (error: unknown) => {
        const message = error instanceof KeySetFetchError ? error.message : 'The JWKS URL could not be loaded.';
        if (sequence > this.#appliedSequence) this.#lastFetchError = message;
        this.#log('warn', { event: 'jwks-fetch-failed', jwksHost: this.#host, error: message }, 'JWKS fetch failed');
        throw error;
      },
    );
    const shared = attempt.finally(() => {
      if (this.#pending === shared) this.#pending = null;
    });
    this.#pending = shared;
    return shared;
  }

  async #fetchKeySet(): Promise<KeySet> {
    const document = await fetchJsonDocument(this.#url, {
      fetch: this.#deps.fetch,
      timeoutMs: this.#deps.fetchTimeoutMs,
      maxBytes: this.#deps.maxJwksBytes,
      allowInsecureHttp: this.#deps.allowInsecureHttp,
    });
    const jwks = toJwks(document);
    let resolve: LocalKeySet;
    try {
      resolve = createLocalJWKSet(jwks);
    } catch (cause) {
      throw new KeySetFetchError('The JWKS URL served a malformed key set.', { cause });
    }
    const kids = jwks.keys.map((jwk: JWK) => jwk.kid).filter((kid): kid is string => typeof kid === 'string');
    return { resolve, generation: -1, selected: new Map(), kids, fetchedAt: this.#deps.now(), fingerprint: JSON.stringify(jwks.keys) };
  }
}
