/**
 * The popup sign-in transaction (SPEC §2.6, issue 12): opens the customer's
 * Sign-in URL in a popup with a fresh `quincer_state` — synchronously, inside
 * the visitor's gesture — and ends with exactly one outcome. What happens after
 * window.open (postMessage, the relay, BroadcastChannel) lives in
 * transaction.ts, which the script-tag build loads on first need
 * (load-flow.ts). Every timer and listener of a transaction lives in one
 * disposer set that is drained on every exit path.
 */
import { STATE_QUERY_PARAM } from '../../protocol/signin.js';
import { loadFlow } from './load-flow.js';
import { checkPopupOptions } from './popup-options.js';
import type { PopupOutcome } from './outcome.js';
import { randomValue } from './random.js';

export interface PopupSignInOptions {
  /** Absolute http(s) URL of the customer's sign-in page. */
  signInUrl: string;
  /** Overall time limit of one transaction, in ms. Default 120_000. */
  timeoutMs?: number;
  /** Injectable for tests; default globalThis.window. */
  window?: Window;
  /** The chat backend's base URL, whose sign-in relay is watched beside postMessage; null or absent: postMessage only. */
  relayUrl?: string | null;
  /** The visitor token the widget holds, if any: relay requests carry it like every widget request. */
  bearer?: () => string | null;
}

export type { PopupOutcome } from './outcome.js';
export { POPUP_ANNOUNCE_GRACE_MS, POPUP_CLOSED_GRACE_MS, POPUP_CLOSED_POLL_MS } from './timing.js';

export { DEFAULT_POPUP_TIMEOUT_MS } from './popup-options.js';

/** A fresh browsing context every time; a named target could be one another page already holds. */
const POPUP_TARGET = '_blank';
const POPUP_WIDTH = 500;
const POPUP_HEIGHT = 640;

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
  private readonly relayUrl: string | null;
  private readonly bearer: () => string | null;
  private transaction: Transaction | null = null;

  constructor(options: PopupSignInOptions) {
    const checked = checkPopupOptions(options);
    this.signInUrl = checked.signInUrl;
    this.expectedOrigin = this.signInUrl.origin;
    this.timeoutMs = checked.timeoutMs;
    this.targetWindow = options.window;
    this.relayUrl = options.relayUrl ?? null;
    this.bearer = options.bearer ?? (() => null);
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
    const state = randomValue(win.crypto ?? globalThis.crypto);
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

  /** The visitor's own Cancel control: ends the open transaction as 'dismissed' and closes the popup. */
  cancel(): void {
    this.transaction?.finish({ status: 'dismissed' });
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

    // Messages that arrive before the rest of the flow has loaded are kept for it.
    const early: MessageEvent[] = [];
    const keep = (event: MessageEvent): void => void early.push(event);
    win.addEventListener('message', keep);
    disposers.add(() => win.removeEventListener('message', keep));
    const run = (flow: Awaited<ReturnType<typeof loadFlow>>): void => {
      if (done) return;
      win.removeEventListener('message', keep);
      flow.runTransaction({
        win,
        popup,
        state,
        origin: this.expectedOrigin,
        timeoutMs: this.timeoutMs,
        relayUrl: this.relayUrl,
        bearer: this.bearer,
        early,
        end: finish,
        // After the end a late registration runs at once, so nothing outlives the transaction.
        onCleanup: (dispose) => (done ? dispose() : void disposers.add(dispose)),
      });
    };
    const flow = loadFlow();
    if ('then' in flow) {
      flow.then(run, () => {
        // The popup flow could not load: nothing can receive the token, so the popup goes too.
        closePopup(popup);
        finish({ status: 'cancelled' });
      });
    } else {
      run(flow);
    }

    return transaction;
  }
}

/** True when the visitor's last gesture still allows window.open (where the browser says so). */
export function hasTransientUserActivation(win: Window | undefined = globalThis.window): boolean {
  const activation = (win?.navigator as { userActivation?: { isActive?: unknown } } | undefined)
    ?.userActivation;
  return activation?.isActive === true;
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
