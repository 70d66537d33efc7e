/**
 * The popup sign-in transaction (SPEC §2.6): opens the customer's Sign-in URL
 * in a popup with a fresh `quincer_state`, waits for the sign-in page to post
 * `{ type: 'quincer-identify', token, state? }` back, and ends with exactly one
 * outcome. Every timer and listener of a transaction lives in one disposer set
 * that is drained on every exit path.
 */
import { IDENTIFY_MESSAGE_TYPE, STATE_QUERY_PARAM } from '../../protocol/signin.js';
import { isCompactJws } from '../../protocol/jws.js';

export interface PopupSignInOptions {
  /** Absolute http(s) URL of the customer's sign-in page. */
  signInUrl: string;
  /** Overall time limit of one transaction, in ms. Default 120_000. */
  timeoutMs?: number;
  /** Injectable for tests; default globalThis.window. */
  window?: Window;
}

export type PopupOutcome =
  | { status: 'complete'; token: string }
  /** The visitor closed the popup (after the grace period). */
  | { status: 'cancelled' }
  | { status: 'timeout' }
  /** dispose() was called (logout, destroy). */
  | { status: 'aborted' };

export const DEFAULT_POPUP_TIMEOUT_MS = 120_000;
/** How often the popup's `closed` is polled. */
export const POPUP_CLOSED_POLL_MS = 500;
/**
 * How long a closed popup still counts: a sign-in page that posts and then
 * calls window.close() must win against the poll that sees it closed.
 */
export const POPUP_CLOSED_GRACE_MS = 1_000;

/** A fresh browsing context every time; a named target could be one another page already holds. */
const POPUP_TARGET = '_blank';
/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;
const POPUP_WIDTH = 500;
const POPUP_HEIGHT = 640;
/** 32 bytes = 256 bits of state. */
const STATE_BYTES = 32;

interface Transaction {
  readonly popup: Window;
  readonly promise: Promise<PopupOutcome>;
  /** Ends the transaction once; later calls do nothing. */
  finish(outcome: PopupOutcome): void;
}

export class PopupSignIn {
  // TS-private rather than #private: the browser build targets es2020, where
  // #fields are lowered to WeakMaps.
  private readonly signInUrl: URL;
  private readonly expectedOrigin: string;
  private readonly timeoutMs: number;
  private readonly targetWindow: Window | undefined;
  private transaction: Transaction | null = null;

  constructor(options: PopupSignInOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('PopupSignIn: pass an options object with a signInUrl.');
    }
    this.signInUrl = parseSignInUrl(options.signInUrl);
    this.expectedOrigin = this.signInUrl.origin;
    const timeoutMs = options.timeoutMs ?? DEFAULT_POPUP_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new TypeError('PopupSignIn: timeoutMs must be a positive number of milliseconds.');
    }
    this.timeoutMs = timeoutMs;
    this.targetWindow = options.window;
  }

  /** True while a transaction is open (a popup is pending an outcome). */
  get isOpen(): boolean {
    return this.transaction !== null;
  }

  /**
   * Call synchronously inside a click or while user activation is active.
   * Returns null when the browser blocked the popup. While a transaction is
   * open, focuses its popup and returns the same promise. If that popup is
   * already closed (the visitor closed it and the grace period is still
   * running), the old transaction ends as 'cancelled' and a new popup opens,
   * so a click on "Sign in to continue" is never swallowed.
   */
  open(): Promise<PopupOutcome> | null {
    const current = this.transaction;
    if (current) {
      if (!isClosed(current.popup)) {
        focus(current.popup);
        return current.promise;
      }
      current.finish({ status: 'cancelled' });
    }

    const win = this.targetWindow ?? globalThis.window;
    if (!win) {
      throw new TypeError('PopupSignIn.open() needs a browser window (or options.window).');
    }
    const state = randomState(win);
    let popup: Window | null;
    try {
      // No 'noopener': the sign-in page posts back through window.opener.
      popup = win.open(this.urlWithState(state), POPUP_TARGET, popupFeatures(win));
    } catch {
      popup = null;
    }
    if (!popup) return null;

    const transaction = this.begin(win, popup, state);
    this.transaction = transaction;
    return transaction.promise;
  }

  /** Ends any open transaction with 'aborted' and clears every timer and listener. */
  dispose(): void {
    this.transaction?.finish({ status: 'aborted' });
  }

  urlWithState(state: string): string {
    const url = new URL(this.signInUrl.href);
    if (url.searchParams.has(STATE_QUERY_PARAM)) {
      url.searchParams.set(STATE_QUERY_PARAM, state);
    } else {
      // Appended by hand so the customer's own query string keeps its exact
      // encoding (URLSearchParams would re-serialize it).
      const pair = `${STATE_QUERY_PARAM}=${state}`;
      url.search = url.search.length > 1 ? `${url.search}&${pair}` : pair;
    }
    return url.href;
  }

  begin(win: Window, popup: Window, state: string): Transaction {
    const disposers = new Set<() => void>();
    let done = false;
    let resolve!: (outcome: PopupOutcome) => void;
    const promise = new Promise<PopupOutcome>((r) => {
      resolve = r;
    });

    const finish = (outcome: PopupOutcome): void => {
      if (done) return;
      done = true;
      for (const dispose of disposers) dispose();
      disposers.clear();
      if (this.transaction === transaction) this.transaction = null;
      if (outcome.status !== 'cancelled') closePopup(popup);
      resolve(outcome);
    };
    const transaction: Transaction = { popup, promise, finish };

    const onMessage = (event: MessageEvent): void => {
      let token: string | null;
      try {
        token = acceptedToken(event, this.expectedOrigin, popup, state);
      } catch {
        // Same-window senders can pass objects with throwing getters; ignored like any other bad message.
        token = null;
      }
      if (token !== null) finish({ status: 'complete', token });
    };
    win.addEventListener('message', onMessage);
    disposers.add(() => win.removeEventListener('message', onMessage));

    const poll = setInterval(() => {
      if (!isClosed(popup)) return;
      clearInterval(poll);
      const grace = setTimeout(() => finish({ status: 'cancelled' }), POPUP_CLOSED_GRACE_MS);
      disposers.add(() => clearTimeout(grace));
    }, POPUP_CLOSED_POLL_MS);
    disposers.add(() => clearInterval(poll));

    const timeout = setTimeout(() => finish({ status: 'timeout' }), this.timeoutMs);
    disposers.add(() => clearTimeout(timeout));

    return transaction;
  }
}

/** True when the visitor's last gesture still allows window.open (where the browser says so). */
export function hasTransientUserActivation(win: Window | undefined = globalThis.window): boolean {
  const activation = (win?.navigator as { userActivation?: { isActive?: unknown } } | undefined)
    ?.userActivation;
  return activation?.isActive === true;
}

/**
 * The acceptance rule of SPEC §2.6: origin, source, shape, state. Returns the
 * token, or null for anything else (never throws, never logs the data).
 */
function acceptedToken(
  event: MessageEvent,
  expectedOrigin: string,
  popup: Window,
  state: string,
): string | null {
  if (event.origin !== expectedOrigin) return null;
  if (event.source !== popup) return null;
  const data: unknown = event.data;
  if (!isPlainObject(data)) return null;
  if (data['type'] !== IDENTIFY_MESSAGE_TYPE) return null;
  const token = data['token'];
  if (!isCompactJws(token)) return null;
  if (Object.prototype.hasOwnProperty.call(data, 'state') && data['state'] !== state) return null;
  return token;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parseSignInUrl(value: unknown): URL {
  let url: URL | null = null;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError('PopupSignIn: signInUrl must be an absolute http(s) URL, e.g. "https://example.com/sign-in".');
  }
  return url;
}

function randomState(win: Window): string {
  const crypto = win.crypto ?? globalThis.crypto;
  const bytes = crypto.getRandomValues(new Uint8Array(STATE_BYTES));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Centred over the current window, like oidc-client-ts's PopupUtils.center. */
function popupFeatures(win: Window): string {
  const outerWidth = win.outerWidth || POPUP_WIDTH;
  const outerHeight = win.outerHeight || POPUP_HEIGHT;
  const left = Math.max(0, Math.round((win.screenX || 0) + (outerWidth - POPUP_WIDTH) / 2));
  const top = Math.max(0, Math.round((win.screenY || 0) + (outerHeight - POPUP_HEIGHT) / 2));
  return `popup=yes,width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`;
}

function isClosed(popup: Window): boolean {
  try {
    return Boolean(popup.closed);
  } catch {
    return true;
  }
}

function focus(popup: Window): void {
  try {
    popup.focus();
  } catch {
    // A popup that cannot be focused is still open; the promise stands.
  }
}

function closePopup(popup: Window): void {
  try {
    if (!popup.closed) popup.close();
  } catch {
    // Already gone.
  }
}
