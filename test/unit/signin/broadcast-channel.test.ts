// The same-origin return channel (issue 12): a BroadcastChannel named from the state, with the same
// one-shot, state-bound rules as postMessage, and the announcement that keeps a cut-off popup pending.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BROADCAST_CHANNEL_PREFIX, SIGNIN_ACK_MESSAGE_TYPE, SIGNIN_OPEN_MESSAGE_TYPE } from '../../../src/protocol/signin.js';
import {
  POPUP_ANNOUNCE_GRACE_MS,
  POPUP_CLOSED_GRACE_MS,
  POPUP_CLOSED_POLL_MS,
  PopupSignIn,
  type PopupOutcome,
} from '../../../src/widget/signin/popup-sign-in.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const OTHER_TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTIifQ.b3RoZXI';

let popup: { closed: boolean; focus(): void; close(): void };
let opened: string[];
const channels: BroadcastChannel[] = [];

beforeEach(() => {
  popup = { closed: false, focus: () => undefined, close: () => (popup.closed = true) };
  opened = [];
  vi.spyOn(window, 'open').mockImplementation(((url: string) => {
    opened.push(url);
    return popup as unknown as Window;
  }) as typeof window.open);
});
afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function start(): { signIn: PopupSignIn; state: string; outcome: Promise<PopupOutcome> } {
  const signIn = new PopupSignIn({ signInUrl: `${window.location.origin}/signin` });
  const outcome = signIn.open();
  if (!outcome) throw new Error('open() returned null');
  const state = new URL(opened[0]!).searchParams.get('quincer_state')!;
  return { signIn, state, outcome };
}

/** The sign-in page's side of the channel (another BroadcastChannel object on the same name). */
function pageChannel(state: string): { post(data: unknown): void; received: unknown[] } {
  const channel = new BroadcastChannel(BROADCAST_CHANNEL_PREFIX + state);
  channels.push(channel);
  const received: unknown[] = [];
  channel.onmessage = (event) => received.push(event.data);
  return { post: (data) => channel.postMessage(data), received };
}

describe('BroadcastChannel (Sign-in URL on the page\'s own origin)', () => {
  it('accepts the first identify message with the right state, acknowledges it, and ignores the rest', async () => {
    const { state, outcome } = start();
    const page = pageChannel(state);
    page.post({ type: 'quincer-identify', token: OTHER_TOKEN }); // no state: refused on this channel
    page.post({ type: 'quincer-identify', token: OTHER_TOKEN, state: `${state}x` });
    page.post({ type: 'quincer-identify', token: 'not-a-token', state });
    page.post('quincer-identify');
    page.post({ type: 'quincer-identify', token: TOKEN, state });
    page.post({ type: 'quincer-identify', token: OTHER_TOKEN, state });
    await expect(outcome).resolves.toEqual({ status: 'complete', token: TOKEN });
    await vi.waitFor(() => expect(page.received).toContainEqual({ type: SIGNIN_ACK_MESSAGE_TYPE, state }));
    expect(popup.closed).toBe(true);
  });

  it('a channel named for another state delivers nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { signIn, state, outcome } = start();
    const box: { value?: PopupOutcome } = {};
    void outcome.then((value) => (box.value = value));
    pageChannel(`${state.slice(1)}A`).post({ type: 'quincer-identify', token: TOKEN, state });
    await vi.advanceTimersByTimeAsync(50);
    expect(box.value).toBeUndefined();
    signIn.dispose();
    await expect(outcome).resolves.toEqual({ status: 'aborted' });
  });

  it('a popup that reads closed stays pending once the page announced itself; cancel() ends it as dismissed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { signIn, state, outcome } = start();
    const box: { value?: PopupOutcome } = {};
    void outcome.then((value) => (box.value = value));
    pageChannel(state).post({ type: SIGNIN_OPEN_MESSAGE_TYPE, state });
    await vi.waitFor(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    popup.closed = true;
    await vi.advanceTimersByTimeAsync(POPUP_CLOSED_POLL_MS + POPUP_ANNOUNCE_GRACE_MS * 4);
    expect(box.value).toBeUndefined();
    signIn.cancel();
    await expect(outcome).resolves.toEqual({ status: 'dismissed' });
  });

  it('without an announcement a closed popup is cancelled after the longer grace (a side channel was open)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { outcome } = start();
    const box: { value?: PopupOutcome } = {};
    void outcome.then((value) => (box.value = value));
    popup.closed = true;
    await vi.advanceTimersByTimeAsync(POPUP_CLOSED_POLL_MS + POPUP_CLOSED_GRACE_MS);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(POPUP_ANNOUNCE_GRACE_MS);
    expect(box.value).toEqual({ status: 'cancelled' });
  });
});
