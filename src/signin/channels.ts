/**
 * The sign-in page's return channels for a popup whose window.opener is gone
 * (a Cross-Origin-Opener-Policy cut it): the chat backend's relay, and a
 * BroadcastChannel when this page is on the widget's own origin. Wire format:
 * docs/wire-protocol.md, "Sign-in relay".
 */
import {
  BROADCAST_CHANNEL_PREFIX,
  IDENTIFY_MESSAGE_TYPE,
  RELAY_PATHS,
  SIGNIN_ACK_MESSAGE_TYPE,
  SIGNIN_OPEN_MESSAGE_TYPE,
  type IdentifyMessage,
  type RelayDeliverRequest,
} from '../protocol/signin.js';

export type RelayOutcome = 'relayed' | 'relay-refused' | 'relay-unreachable';

/**
 * The widget registers its transaction while the popup loads; a page that
 * signs in at once (a session cookie) can post first. Refusals are
 * indistinguishable by design, so a refused post is retried after these
 * pauses (ms) before the helper gives up.
 */
export const RELAY_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000];
/** How long the helper waits for the widget's acknowledgement on the BroadcastChannel. */
export const BROADCAST_ACK_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs `body` to the relay as text/plain (no preflight; the backend checks
 * the Origin header itself), retrying refusals and network failures.
 */
async function postToRelay(relayUrl: string, path: string, body: object, fetchImpl: typeof fetch): Promise<RelayOutcome> {
  let outcome: RelayOutcome = 'relay-unreachable';
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetchImpl(relayUrl + path, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
      });
      if (response.ok) return 'relayed';
      outcome = 'relay-refused';
      // Only the one refusal (an unknown state may be one not registered yet) is worth another try.
      if (response.status !== 404) return outcome;
    } catch {
      outcome = 'relay-unreachable';
    }
    const delay = RELAY_RETRY_DELAYS_MS[attempt];
    if (delay === undefined) return outcome;
    await sleep(delay);
  }
}

export function deliverToRelay(relayUrl: string, state: string, token: string, fetchImpl: typeof fetch = fetch): Promise<RelayOutcome> {
  const body: RelayDeliverRequest = { state, token };
  return postToRelay(relayUrl, RELAY_PATHS.deliver, body, fetchImpl);
}

export function announceToRelay(relayUrl: string, state: string, fetchImpl: typeof fetch = fetch): Promise<RelayOutcome> {
  return postToRelay(relayUrl, RELAY_PATHS.announce, { state }, fetchImpl);
}

/** Posts the token on the state's BroadcastChannel; resolves true once the widget acknowledges it. */
export function deliverByBroadcast(state: string, token: string): Promise<boolean> {
  if (typeof BroadcastChannel !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(BROADCAST_CHANNEL_PREFIX + state);
    const done = (taken: boolean): void => {
      clearTimeout(timer);
      channel.close();
      resolve(taken);
    };
    const timer = setTimeout(() => done(false), BROADCAST_ACK_MS);
    channel.onmessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; state?: unknown } | null;
      if (data?.type === SIGNIN_ACK_MESSAGE_TYPE && data.state === state) done(true);
    };
    const message: IdentifyMessage = { type: IDENTIFY_MESSAGE_TYPE, token, state };
    channel.postMessage(message);
  });
}

/** Tells a widget on this origin that the sign-in page is open (its popup may read closed). */
export function announceByBroadcast(state: string): void {
  if (typeof BroadcastChannel !== 'function') return;
  const channel = new BroadcastChannel(BROADCAST_CHANNEL_PREFIX + state);
  channel.postMessage({ type: SIGNIN_OPEN_MESSAGE_TYPE, state });
  channel.close();
}
