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
 * - `oidc`: each pull first reads the discovery document, requires its issuer
 *   to equal the configured one exactly and takes its jwks_uri (any host, same
 *   URL rules). A discovery document served at a JWKS URL is recognised the
 *   same way and its jwks_uri used.
 */
import { createLocalJWKSet, errors, type JWK, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { isSharedKeySetUrl } from '../protocol/providers.js';
import type { ResolvedDeps } from './deps.js';
import { OWN_CODES, VerificationError } from './failures.js';
import type { fetchJsonDocument as FetchJsonDocument } from './fetch-document.js';
import { KeySetFetchError } from './key-set-fetch-error.js';
import { asDiscoveryDocument, toJwks } from './key-set-document.js';
import { urlProblem } from './url-policy.js';

/** Where the keys come from: a JWKS URL, or (oidc) a discovery URL and the issuer it must name. */
export type KeySource = { readonly jwksUrl: string; readonly issuer: string | null } | { readonly discoveryUrl: string; readonly issuer: string };

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

let fetchDocument: Promise<typeof FetchJsonDocument> | null = null;
/**
 * The fetch path (node:http, node:https, ipaddr.js) loads on the first key-set
 * fetch, not with the package: an HMAC-only verifier never needs it, and a
 * process that imports the verifier starts faster.
 */
const loadFetchDocument = (): Promise<typeof FetchJsonDocument> =>
  (fetchDocument ??= import('./fetch-document.js').then((module) => module.fetchJsonDocument));

interface KeySet {
  readonly resolve: LocalKeySet;
  /** Which key set this is; equal fingerprints keep the generation. */
  generation: number;
  /** Keys jose already selected and imported from this set, by alg then kid: the hot path skips the lookup. */
  readonly selected: Map<string, Map<string, CryptoKey>>;
  readonly kids: readonly string[];
  readonly fetchedAt: number;
  readonly fingerprint: string;
  /** The URL the keys were read from (after discovery). */
  readonly jwksUrl: string;
  /** Keys every tenant of a provider shares (an x509 map, Google's or Microsoft's JWKS). */
  readonly shared: boolean;
}

export class RemoteKeyStore {
  #current: KeySet | null = null;
  #pending: Promise<void> | null = null;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastFetchError: string | null = null;
  /** The last failed fetch, so a verification reports its specific detail (discovery, private network). */
  #lastFailure: KeySetFetchError | null = null;
  #startedSequence = 0;
  #appliedSequence = 0;
  #generation = 0;
  #graceLoggedFor = 0;
  readonly #source: KeySource;
  readonly #host: string;
  readonly #deps: ResolvedDeps;
  readonly #onChange: () => void;

  constructor(source: KeySource, deps: ResolvedDeps, onChange: () => void) {
    this.#source = source;
    this.#host = new URL('jwksUrl' in source ? source.jwksUrl : source.discoveryUrl).host;
    this.#deps = deps;
    this.#onChange = onChange;
  }

  /** True when the keys in use are shared by every tenant of their provider. */
  get shared(): boolean {
    return this.#current?.shared === true;
  }

  /** The URL the keys in use came from; before the first fetch, the configured JWKS URL (null for discovery). */
  get jwksUrl(): string | null {
    return this.#current?.jwksUrl ?? ('jwksUrl' in this.#source ? this.#source.jwksUrl : null);
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
    try {
      return await this.#getKey(header, token);
    } catch (error) {
      // A published kid that jose did not select: the key declares another alg (or key type).
      if ((error as { code?: unknown }).code === errors.JWKSNoMatchingKey.code && typeof header.kid === 'string' && this.#current?.kids.includes(header.kid)) {
        throw new VerificationError(OWN_CODES.algMismatch, 'the key with this kid is published for another algorithm');
      }
      throw error;
    }
  }

  async #getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<{ key: CryptoKey; generation: number }> {
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
    const failed = new KeySetFetchError(this.#lastFetchError ?? 'The JWKS URL could not be reached.');
    failed.failure = this.#lastFailure?.failure;
    throw failed;
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
        this.#lastFailure = null;
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
        if (sequence > this.#appliedSequence) {
          this.#lastFetchError = message;
          this.#lastFailure = error instanceof KeySetFetchError ? error : null;
        }
        const detail = error instanceof KeySetFetchError ? (error.failure?.detail ?? 'jwks-unavailable') : 'jwks-unavailable';
        const logged = error instanceof KeySetFetchError ? error.logMessage : message;
        this.#log('warn', { event: 'jwks-fetch-failed', jwksHost: this.#host, detail, error: logged }, 'JWKS fetch failed');
        throw error;
      },
    );
    const shared = attempt.finally(() => {
      if (this.#pending === shared) this.#pending = null;
    });
    this.#pending = shared;
    return shared;
  }

  #fetch<T = unknown>(url: string, label: string, interpret?: (document: unknown) => T): Promise<T> {
    return loadFetchDocument().then((fetchJsonDocument) => fetchJsonDocument<T>(url, {
      fetch: this.#deps.fetch,
      lookup: this.#deps.lookup,
      timeoutMs: this.#deps.fetchTimeoutMs,
      maxBytes: this.#deps.maxJwksBytes,
      allowInsecureHttp: this.#deps.allowInsecureHttp,
      allowPrivateNetworks: this.#deps.allowPrivateNetworks,
      label,
    }, interpret));
  }

  /** The jwks_uri of a discovery document whose issuer must equal `issuer` exactly. */
  #jwksUriOf(document: unknown, issuer: string | null, where: string): string {
    const discovery = asDiscoveryDocument(document);
    if (discovery === null) {
      throw new KeySetFetchError(`${where} is not an OpenID discovery document (it names no jwks_uri).`, { detail: 'discovery-failed' });
    }
    if (issuer !== null && discovery.issuer !== issuer) {
      throw new KeySetFetchError(
        `${where} names an issuer that differs from the configured Issuer; they must be exactly equal (OpenID Connect Discovery §4.3): set Issuer to the issuer the document names.`,
        { detail: 'discovery-issuer-mismatch' },
      );
    }
    const problem = urlProblem(discovery.jwksUri, { allowInsecureHttp: this.#deps.allowInsecureHttp });
    if (problem) throw new KeySetFetchError(`The jwks_uri of ${where.toLowerCase()} is not allowed: ${problem}`, { detail: 'discovery-failed' });
    return new URL(discovery.jwksUri).href;
  }

  async #fetchKeySet(): Promise<KeySet> {
    const source = this.#source;
    let jwksUrl: string;
    if ('discoveryUrl' in source) {
      const discovered = await this.#fetch(source.discoveryUrl, 'The discovery document');
      jwksUrl = this.#jwksUriOf(discovered, source.issuer, 'The discovery document');
    } else {
      jwksUrl = source.jwksUrl;
    }
    // What the document says about itself is judged inside the fetch, so an internal target's answer stays generic.
    const keysOrDiscovery = (document: unknown) => (asDiscoveryDocument(document) !== null ? { discovery: document } : { keySet: toJwks(document) });
    let fetched = await this.#fetch(jwksUrl, 'The JWKS URL', keysOrDiscovery);
    if ('discovery' in fetched) {
      if ('discoveryUrl' in source) throw new KeySetFetchError("The discovery document's jwks_uri serves another discovery document, not a key set.", { detail: 'discovery-failed' });
      // A discovery document pasted as the JWKS URL: use the jwks_uri it names.
      jwksUrl = this.#jwksUriOf(fetched.discovery, source.issuer, 'The document at the JWKS URL');
      fetched = await this.#fetch(jwksUrl, 'The JWKS URL', keysOrDiscovery);
      if ('discovery' in fetched) throw new KeySetFetchError('The jwks_uri serves another discovery document, not a key set.', { detail: 'discovery-failed' });
    }
    const { keys: jwksKeys, x509 } = fetched.keySet;
    const jwks = { keys: jwksKeys };
    let resolve: LocalKeySet;
    try {
      resolve = createLocalJWKSet(jwks);
    } catch (cause) {
      throw new KeySetFetchError('The JWKS URL served a malformed key set.', { cause });
    }
    const kids = jwks.keys.map((jwk: JWK) => jwk.kid).filter((kid): kid is string => typeof kid === 'string');
    return {
      resolve,
      generation: -1,
      selected: new Map(),
      kids,
      fetchedAt: this.#deps.now(),
      fingerprint: JSON.stringify(jwks.keys),
      jwksUrl,
      shared: x509 || isSharedKeySetUrl(jwksUrl),
    };
  }
}
