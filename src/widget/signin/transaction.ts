/**
 * One popup sign-in transaction after window.open (SPEC §2.6 and issue 12):
 * waits on every return channel at once — postMessage from the popup, the
 * chat backend's relay, and a BroadcastChannel when the Sign-in URL is on
 * this page's own origin — and ends with exactly one outcome; whichever
 * channel delivers first wins and the others are ignored and torn down.
 *
 * In the script-tag build this module is the lazily loaded
 * chat-widget-signin.js; `early` holds the messages that arrived before it did.
 */
import { BROADCAST_CHANNEL_PREFIX, IDENTIFY_MESSAGE_TYPE, SIGNIN_ACK_MESSAGE_TYPE, SIGNIN_OPEN_MESSAGE_TYPE } from '../../protocol/signin.js';
import { isCompactJws } from '../../protocol/jws.js';
import { watchRelay } from './relay-client.js';
import type { PopupOutcome } from './outcome.js';
import { POPUP_ANNOUNCE_GRACE_MS, POPUP_CLOSED_GRACE_MS, POPUP_CLOSED_POLL_MS } from './timing.js';

export interface TransactionInput {
  win: Window;
  popup: Window;
  state: string;
  /** The Sign-in URL's origin. */
  origin: string;
  timeoutMs: number;
  /** The chat backend's base URL (the relay), or null for postMessage only. */
  relayUrl: string | null;
  /** The visitor token the widget holds now, if any. */
  bearer: () => string | null;
  /** Messages the window received between window.open and this module loading. */
  early: readonly MessageEvent[];
  /** Ends the transaction once (the caller drains its disposers). */
  end(outcome: PopupOutcome): void;
  /** Registers a disposer drained on every exit path. */
  onCleanup(dispose: () => void): void;
}

export function runTransaction(input: TransactionInput): void {
  const { win, popup, state, origin, end, onCleanup } = input;
  let announced = false;
  /** Side channels that can still deliver: a registered relay transaction, an open BroadcastChannel. */
  let sideChannels = 0;

  const accept = (token: unknown): void => {
    if (isCompactJws(token)) end({ status: 'complete', token });
  };
  const onMessage = (event: MessageEvent): void => {
    try {
      if (event.origin !== origin || event.source !== popup) return;
      const data = identifyData(event.data, state, false);
      if (data) accept(data['token']);
    } catch {
      // Same-window senders can pass objects with throwing getters; ignored like any other bad message.
    }
  };
  win.addEventListener('message', onMessage);
  onCleanup(() => win.removeEventListener('message', onMessage));

  const abort = new AbortController();
  onCleanup(() => abort.abort());

  if (input.relayUrl !== null) {
    void watchRelay(input.relayUrl, state, Math.ceil(input.timeoutMs / 1000), abort.signal, {
      onRegistered: () => sideChannels++,
      onAnnounced: () => (announced = true),
      onToken: accept,
    }, input.bearer);
  }

  // A Sign-in URL on this page's own origin can answer over BroadcastChannel, with no backend.
  if (sameOrigin(win, origin) && typeof BroadcastChannel === 'function') {
    sideChannels++;
    const channel = new BroadcastChannel(BROADCAST_CHANNEL_PREFIX + state);
    channel.onmessage = (event: MessageEvent) => {
      try {
        const data: unknown = event.data;
        if (isPlainObject(data) && data['type'] === SIGNIN_OPEN_MESSAGE_TYPE && data['state'] === state) announced = true;
        const identify = identifyData(data, state, true);
        if (identify) {
          // Tells the sign-in page that this channel took the token, so it can close itself.
          channel.postMessage({ type: SIGNIN_ACK_MESSAGE_TYPE, state });
          accept(identify['token']);
        }
      } catch {
        // Ignored like any other bad message.
      }
    };
    onCleanup(() => channel.close());
  }

  for (const event of input.early) onMessage(event);

  // A popup that reads closed ends the transaction as 'cancelled' after a grace period, unless the sign-in
  // page announced itself on a side channel: then a Cross-Origin-Opener-Policy cut it off and it is still
  // signing in, so the widget keeps waiting (the visitor has the Cancel control; the timeout ends it).
  const afterGrace = (extended: boolean): void => {
    if (announced) return;
    if (extended || sideChannels === 0) {
      end({ status: 'cancelled' });
      return;
    }
    const more = setTimeout(() => afterGrace(true), POPUP_ANNOUNCE_GRACE_MS - POPUP_CLOSED_GRACE_MS);
    onCleanup(() => clearTimeout(more));
  };
  const poll = setInterval(() => {
    if (!isClosed(popup)) return;
    clearInterval(poll);
    const grace = setTimeout(() => afterGrace(false), POPUP_CLOSED_GRACE_MS);
    onCleanup(() => clearTimeout(grace));
  }, POPUP_CLOSED_POLL_MS);
  onCleanup(() => clearInterval(poll));

  const timeout = setTimeout(() => end({ status: 'timeout' }), input.timeoutMs);
  onCleanup(() => clearTimeout(timeout));
}

/**
 * The acceptance rule of SPEC §2.6 for the message's shape and state: a plain
 * object of type quincer-identify with a string token that passes identify's
 * checks, and a matching state (required on the BroadcastChannel).
 */
function identifyData(data: unknown, state: string, stateRequired: boolean): Record<string, unknown> | null {
  if (!isPlainObject(data) || data['type'] !== IDENTIFY_MESSAGE_TYPE || !isCompactJws(data['token'])) return null;
  const hasState = Object.prototype.hasOwnProperty.call(data, 'state');
  if ((stateRequired || hasState) && data['state'] !== state) return null;
  return data;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameOrigin(win: Window, origin: string): boolean {
  try {
    return win.location.origin === origin;
  } catch {
    return false;
  }
}

function isClosed(popup: Window): boolean {
  try {
    return Boolean(popup.closed);
  } catch {
    return true;
  }
}
