/**
 * The visitor token: identify, logout and the refresh provider (SPEC §2.4).
 * Concurrent needs share one refresh in flight; a refresh is scheduled
 * shortly before the (unverified) exp.
 */
import { WidgetError } from './errors.js';
import type { StateStore } from './storage.js';
import { describeTokenProblem, readUnverifiedExp } from './token.js';

export type TokenProvider = () => Promise<string>;

export interface IdentifyInput {
  token: string;
  /** Returns a fresh token; called shortly before exp and after an `expired` refusal. */
  refresh?: TokenProvider;
}

export interface AuthHooks {
  /** A token was set by identify() or by a refresh. */
  onIdentified(source: 'identify' | 'refresh' | 'signin'): void;
  /** The provider failed or returned something that is not a token; the message names which, never the value. */
  onRefreshFailed(message: string): void;
  now(): number;
}

/** How long before exp a scheduled refresh runs. */
export const REFRESH_LEAD_MS = 30_000;

/** identify()'s argument checks, shared with the pre-init API: throws a WidgetError saying what is wrong. */
export function validateIdentify(input: unknown): IdentifyInput {
  const { token, refresh } = (input ?? {}) as { token?: unknown; refresh?: unknown };
  const problem = typeof input === 'object' ? describeTokenProblem(token) : 'identify() takes an object: identify({ token, refresh? }).';
  if (problem !== null) throw new WidgetError('invalid-token', problem);
  if (refresh !== undefined && typeof refresh !== 'function') {
    throw new WidgetError('invalid-argument', 'identify(): refresh must be a function returning a Promise of a fresh token.');
  }
  return input as IdentifyInput;
}

export class Auth {
  readonly #store: StateStore;
  readonly #hooks: AuthHooks;
  #provider: TokenProvider | null = null;
  #inFlight: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every identify/logout so a late refresh cannot resurrect a token. */
  #generation = 0;

  constructor(store: StateStore, hooks: AuthHooks) {
    this.#store = store;
    this.#hooks = hooks;
    const kept = store.get('token');
    if (kept !== null && describeTokenProblem(kept) !== null) store.remove('token');
  }

  get token(): string | null {
    return this.#store.get('token');
  }

  get canRefresh(): boolean {
    return this.#provider !== null;
  }

  /** Validates everything first; on any problem throws and changes nothing. */
  identify(input: unknown, source: 'identify' | 'signin' = 'identify'): void {
    const { token, refresh } = validateIdentify(input);
    this.#generation++;
    this.#inFlight = null;
    this.#provider = refresh ?? null;
    this.#setToken(token);
    this.#hooks.onIdentified(source);
  }

  /** Forgets the token everywhere it was kept and the provider with it. */
  logout(): void {
    this.#generation++;
    this.#inFlight = null;
    this.#provider = null;
    clearTimeout(this.#timer);
    this.#store.remove('token');
  }

  /**
   * Gets a fresh token from the provider. `usedToken` is the token a refused
   * request carried: when the token has changed since, the refresh already
   * happened and no second provider call is made. Resolves true when a token
   * newer than `usedToken` is set.
   */
  refresh(usedToken: string | null): Promise<boolean> {
    if (usedToken !== null && this.token !== null && this.token !== usedToken) return Promise.resolve(true);
    if (this.#inFlight) return this.#inFlight;
    const provider = this.#provider;
    if (!provider) return Promise.resolve(false);
    const generation = this.#generation;
    const run = (async (): Promise<boolean> => {
      let fresh: unknown;
      try {
        fresh = await provider();
      } catch {
        fresh = undefined;
      }
      if (generation !== this.#generation) return false;
      this.#inFlight = null;
      const problem = describeTokenProblem(fresh);
      if (problem !== null) {
        this.#hooks.onRefreshFailed(
          `Your sign-in could not be renewed: ${fresh === undefined ? 'the refresh provider failed' : 'refresh() did not return a compact JWT'}.`,
        );
        return false;
      }
      this.#setToken(fresh as string);
      this.#hooks.onIdentified('refresh');
      return true;
    })();
    this.#inFlight = run;
    return run;
  }

  dispose(): void {
    this.#generation++;
    this.#inFlight = null;
    clearTimeout(this.#timer);
  }

  #setToken(token: string): void {
    this.#store.set('token', token);
    clearTimeout(this.#timer);
    if (!this.#provider) return;
    const exp = readUnverifiedExp(token);
    if (exp === null) return;
    const delay = exp * 1000 - REFRESH_LEAD_MS - this.#hooks.now();
    // A token already inside the lead window is refreshed when the server says `expired`;
    // scheduling it now could loop on a provider that keeps returning old tokens.
    if (delay <= 0) return;
    this.#timer = setTimeout(() => void this.refresh(token), Math.min(delay, 2_147_483_647));
  }
}
