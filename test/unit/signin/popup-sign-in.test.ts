import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PopupSignIn,
  hasTransientUserActivation,
  POPUP_CLOSED_GRACE_MS,
  POPUP_CLOSED_POLL_MS,
  type PopupOutcome,
} from '../../../src/widget/signin/popup-sign-in.js';

const SIGN_IN_URL = 'https://signin.example.com/login?next=%2Fhome&flag#section';
const SIGN_IN_ORIGIN = 'https://signin.example.com';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const OTHER_TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTIifQ.b3RoZXI';

/** Stands in for the WindowProxy window.open returns; only what PopupSignIn touches. */
interface FakePopup {
  closed: boolean;
  focus: ReturnType<typeof vi.fn>;
  close: ReturnType<typeof vi.fn>;
}

function fakePopup(): FakePopup {
  const popup: FakePopup = {
    closed: false,
    focus: vi.fn(),
    close: vi.fn(() => {
      popup.closed = true;
    }),
  };
  return popup;
}

let popup: FakePopup;
let openSpy: ReturnType<typeof vi.spyOn>;

function openedUrl(call = 0): URL {
  const url = openSpy.mock.calls[call]?.[0];
  if (typeof url !== 'string') throw new Error('window.open was not called with a string URL');
  return new URL(url);
}

function pendingState(call = 0): string {
  const state = openedUrl(call).searchParams.get('quincer_state');
  if (!state) throw new Error('no quincer_state on the opened URL');
  return state;
}

function post(data: unknown, init: { origin?: string; source?: unknown } = {}): void {
  window.dispatchEvent(
    new MessageEvent('message', {
      data,
      origin: init.origin ?? SIGN_IN_ORIGIN,
      source: (init.source === undefined ? popup : init.source) as MessageEventSource,
    }),
  );
}

/** Lets any settled promise run its callbacks. */
async function flush(): Promise<void> {
  await Promise.resolve();
  await Promise.resolve();
}

function track(promise: Promise<PopupOutcome> | null): { outcome: PopupOutcome | undefined } {
  if (!promise) throw new Error('open() returned null');
  const box: { outcome: PopupOutcome | undefined } = { outcome: undefined };
  void promise.then((outcome) => {
    box.outcome = outcome;
  });
  return box;
}

beforeEach(() => {
  vi.useFakeTimers();
  popup = fakePopup();
  openSpy = vi.spyOn(window, 'open').mockImplementation(() => popup as unknown as Window);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('PopupSignIn options', () => {
  it.each([
    ['a relative URL', '/sign-in'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,hi'],
    ['an ftp: URL', 'ftp://example.com/'],
    ['an empty string', ''],
    ['a non-string', 42],
  ])('throws TypeError for %s', (_label, signInUrl) => {
    expect(() => new PopupSignIn({ signInUrl: signInUrl as string })).toThrow(TypeError);
    expect(() => new PopupSignIn({ signInUrl: signInUrl as string })).toThrow(/signInUrl/);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('throws TypeError for timeoutMs %s', (timeoutMs) => {
    expect(() => new PopupSignIn({ signInUrl: SIGN_IN_URL, timeoutMs })).toThrow(/timeoutMs/);
  });

  it('accepts http for local development', () => {
    expect(() => new PopupSignIn({ signInUrl: 'http://localhost:4000/login' })).not.toThrow();
  });
});

describe('PopupSignIn.open', () => {
  it('opens the Sign-in URL with a fresh quincer_state, keeping the query and hash, without noopener', () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    signIn.open();

    expect(openSpy).toHaveBeenCalledTimes(1);
    const url = openedUrl();
    expect(url.origin).toBe(SIGN_IN_ORIGIN);
    expect(url.pathname).toBe('/login');
    expect(url.hash).toBe('#section');
    expect(url.search.startsWith('?next=%2Fhome&flag&quincer_state=')).toBe(true);
    const state = pendingState();
    expect(state).toMatch(/^[A-Za-z0-9_-]{43,}$/); // >= 256 bits, base64url
    const features = String(openSpy.mock.calls[0]?.[2]);
    expect(features).toMatch(/width=\d+/);
    expect(features).toMatch(/height=\d+/);
    expect(features).not.toMatch(/noopener|noreferrer/);
    expect(signIn.isOpen).toBe(true);
    signIn.dispose();
  });

  it('replaces a quincer_state already present on the Sign-in URL', () => {
    const signIn = new PopupSignIn({ signInUrl: 'https://signin.example.com/login?quincer_state=stale' });
    signIn.open();
    expect(openedUrl().searchParams.getAll('quincer_state')).toHaveLength(1);
    expect(pendingState()).not.toBe('stale');
    signIn.dispose();
  });

  it('uses a new state for every transaction', () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    signIn.open();
    signIn.dispose();
    popup = fakePopup();
    signIn.open();
    expect(pendingState(1)).not.toBe(pendingState(0));
    signIn.dispose();
  });

  it('returns null when the browser blocks the popup, and leaves nothing behind', () => {
    openSpy.mockImplementation(() => null);
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    expect(signIn.open()).toBeNull();
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns null when window.open throws', () => {
    openSpy.mockImplementation(() => {
      throw new Error('blocked');
    });
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    expect(signIn.open()).toBeNull();
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('focuses the open popup and returns the same promise on a second open()', () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const first = signIn.open();
    const second = signIn.open();
    expect(second).toBe(first);
    expect(openSpy).toHaveBeenCalledTimes(1);
    expect(popup.focus).toHaveBeenCalledTimes(1);
    signIn.dispose();
  });

  it('opens a new popup when open() is called after the visitor closed the old one (grace period running)', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const first = track(signIn.open());
    const oldPopup = popup;
    oldPopup.closed = true;
    vi.advanceTimersByTime(POPUP_CLOSED_POLL_MS);

    popup = fakePopup();
    const second = track(signIn.open());
    await flush();
    expect(first.outcome).toEqual({ status: 'cancelled' });
    expect(openSpy).toHaveBeenCalledTimes(2);

    // A late message from the old popup no longer counts.
    post({ type: 'quincer-identify', token: TOKEN }, { source: oldPopup });
    await flush();
    expect(second.outcome).toBeUndefined();

    post({ type: 'quincer-identify', token: TOKEN, state: pendingState(1) });
    await flush();
    expect(second.outcome).toEqual({ status: 'complete', token: TOKEN });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('throws when there is no window to open from', () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    vi.stubGlobal('window', undefined);
    try {
      expect(() => signIn.open()).toThrow(TypeError);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('PopupSignIn message acceptance', () => {
  function hostile(): Array<[string, () => void]> {
    const state = pendingState();
    const iframeLike = { postMessage: vi.fn(), closed: false };
    return [
      ['a foreign origin', () => post({ type: 'quincer-identify', token: TOKEN, state }, { origin: 'https://evil.example' })],
      ['a same-site but different origin', () => post({ type: 'quincer-identify', token: TOKEN, state }, { origin: 'https://example.com' })],
      ['the right host on http', () => post({ type: 'quincer-identify', token: TOKEN, state }, { origin: 'http://signin.example.com' })],
      ['the right host on another port', () => post({ type: 'quincer-identify', token: TOKEN, state }, { origin: 'https://signin.example.com:8443' })],
      ['an origin with a trailing slash', () => post({ type: 'quincer-identify', token: TOKEN, state }, { origin: `${SIGN_IN_ORIGIN}/` })],
      ['the right origin but another window (iframe)', () => post({ type: 'quincer-identify', token: TOKEN, state }, { source: iframeLike })],
      ['the right origin but no source', () => post({ type: 'quincer-identify', token: TOKEN, state }, { source: null })],
      ['the host window itself as source', () => post({ type: 'quincer-identify', token: TOKEN, state }, { source: window })],
      ['a wrong state', () => post({ type: 'quincer-identify', token: TOKEN, state: `${state}x` })],
      ['an empty state', () => post({ type: 'quincer-identify', token: TOKEN, state: '' })],
      ['a null state', () => post({ type: 'quincer-identify', token: TOKEN, state: null })],
      ['a state of undefined (present but not equal)', () => post({ type: 'quincer-identify', token: TOKEN, state: undefined })],
      ['string data', () => post(JSON.stringify({ type: 'quincer-identify', token: TOKEN, state }))],
      ['the bare token as data', () => post(TOKEN)],
      ['null data', () => post(null)],
      ['an array', () => post([{ type: 'quincer-identify', token: TOKEN }])],
      ['a class instance', () => post(Object.assign(new (class Payload {})(), { type: 'quincer-identify', token: TOKEN, state }))],
      ['an object inheriting the fields', () => post(Object.create({ type: 'quincer-identify', token: TOKEN, state }))],
      ['a Map', () => post(new Map([['type', 'quincer-identify'], ['token', TOKEN]]))],
      ['a Date', () => post(new Date())],
      ['a non-string token', () => post({ type: 'quincer-identify', token: 12345, state })],
      ['a token object', () => post({ type: 'quincer-identify', token: { value: TOKEN }, state })],
      ['a token array', () => post({ type: 'quincer-identify', token: [TOKEN], state })],
      ['a missing token', () => post({ type: 'quincer-identify', state })],
      ['a malformed token (two segments)', () => post({ type: 'quincer-identify', token: 'abc.def', state })],
      ['a malformed token (Bearer prefix)', () => post({ type: 'quincer-identify', token: `Bearer ${TOKEN}`, state })],
      ['a malformed token (padding)', () => post({ type: 'quincer-identify', token: `${TOKEN}==`, state })],
      ['an oversized token', () => post({ type: 'quincer-identify', token: `${'a'.repeat(17_000)}.b.c`, state })],
      ['a different type', () => post({ type: 'quincer-identity', token: TOKEN, state })],
      ['an upper-case type', () => post({ type: 'QUINCER-IDENTIFY', token: TOKEN, state })],
      ['no type', () => post({ token: TOKEN, state })],
      ['a type that throws when read', () => post({ get type(): string { throw new Error('boom'); }, token: TOKEN, state })],
    ];
  }

  it('ignores every hostile or malformed message without throwing, logging or changing state', async () => {
    const log = vi.spyOn(console, 'log');
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());

    const cases = hostile();
    const errors: unknown[] = [];
    const onError = (event: Event): void => {
      errors.push(event);
    };
    window.addEventListener('error', onError);
    for (const [label, send] of cases) expect(send, label).not.toThrow();
    window.removeEventListener('error', onError);
    expect(errors).toEqual([]);
    await flush();

    expect(result.outcome).toBeUndefined();
    expect(signIn.isOpen).toBe(true);
    expect(popup.close).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();

    // The transaction is still live: the genuine message completes it.
    post({ type: 'quincer-identify', token: TOKEN, state: pendingState() });
    await flush();
    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
  });

  it('accepts a message without state (the documented plain snippet)', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());
    post({ type: 'quincer-identify', token: TOKEN });
    await flush();
    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
  });

  it('accepts a null-prototype object', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());
    post(Object.assign(Object.create(null) as object, { type: 'quincer-identify', token: TOKEN, state: pendingState() }));
    await flush();
    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
  });

  it('completes on the first good message: removes the listener, closes the popup, clears timers, ignores later ones', async () => {
    const removeSpy = vi.spyOn(window, 'removeEventListener');
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const promise = signIn.open();
    const result = track(promise);
    const state = pendingState();

    post({ type: 'quincer-identify', token: TOKEN, state });
    post({ type: 'quincer-identify', token: OTHER_TOKEN, state });
    await flush();

    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
    await expect(promise).resolves.toEqual({ status: 'complete', token: TOKEN });
    expect(popup.close).toHaveBeenCalledTimes(1);
    expect(removeSpy).toHaveBeenCalledWith('message', expect.any(Function));
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    // Nothing fires later either.
    vi.advanceTimersByTime(200_000);
    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
  });

  it('does not close the popup twice when the sign-in page already closed it', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());
    post({ type: 'quincer-identify', token: TOKEN });
    popup.closed = true;
    await flush();
    expect(result.outcome?.status).toBe('complete');
  });
});

describe('PopupSignIn lifecycle', () => {
  it('resolves cancelled only after the grace period once the visitor closes the popup', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());

    vi.advanceTimersByTime(POPUP_CLOSED_POLL_MS * 4);
    await flush();
    expect(result.outcome).toBeUndefined();

    popup.closed = true;
    // The next poll sees it closed; the grace period then runs almost to its end.
    vi.advanceTimersByTime(POPUP_CLOSED_POLL_MS + POPUP_CLOSED_GRACE_MS - 1);
    await flush();
    expect(result.outcome).toBeUndefined();
    expect(signIn.isOpen).toBe(true);

    vi.advanceTimersByTime(1);
    await flush();
    expect(result.outcome).toEqual({ status: 'cancelled' });
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a message posted just before window.close() win during the grace period', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());
    popup.closed = true;
    vi.advanceTimersByTime(POPUP_CLOSED_POLL_MS + POPUP_CLOSED_GRACE_MS - 1);

    post({ type: 'quincer-identify', token: TOKEN, state: pendingState() });
    await flush();
    expect(result.outcome).toEqual({ status: 'complete', token: TOKEN });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out after the default 120 s and closes the popup', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());

    vi.advanceTimersByTime(119_999);
    await flush();
    expect(result.outcome).toBeUndefined();

    vi.advanceTimersByTime(1);
    await flush();
    expect(result.outcome).toEqual({ status: 'timeout' });
    expect(popup.close).toHaveBeenCalledTimes(1);
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('honours a custom timeoutMs', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL, timeoutMs: 5_000 });
    const result = track(signIn.open());
    vi.advanceTimersByTime(5_000);
    await flush();
    expect(result.outcome).toEqual({ status: 'timeout' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('dispose() resolves aborted, closes the popup and clears everything', async () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const result = track(signIn.open());
    signIn.dispose();
    await flush();
    expect(result.outcome).toEqual({ status: 'aborted' });
    expect(popup.close).toHaveBeenCalledTimes(1);
    expect(signIn.isOpen).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    signIn.dispose(); // idempotent
  });

  it('dispose() without a transaction does nothing', () => {
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    expect(() => signIn.dispose()).not.toThrow();
    expect(signIn.isOpen).toBe(false);
  });

  it.each([
    ['complete', (signIn: PopupSignIn) => {
      void signIn;
      post({ type: 'quincer-identify', token: TOKEN });
    }],
    ['cancelled', () => {
      popup.closed = true;
      vi.advanceTimersByTime(POPUP_CLOSED_POLL_MS + POPUP_CLOSED_GRACE_MS);
    }],
    ['timeout', () => {
      vi.advanceTimersByTime(120_000);
    }],
    ['aborted', (signIn: PopupSignIn) => {
      signIn.dispose();
    }],
  ] as const)('after %s, no timer remains and a later valid message changes nothing', async (status, end) => {
    const addSpy = vi.spyOn(window, 'addEventListener');
    const removeSpy = vi.spyOn(window, 'removeEventListener');
    const signIn = new PopupSignIn({ signInUrl: SIGN_IN_URL });
    const promise = signIn.open();
    const result = track(promise);
    const state = pendingState();
    const listener = addSpy.mock.calls.find(([type]) => type === 'message')?.[1];
    expect(listener).toBeTypeOf('function');

    end(signIn);
    await flush();
    expect(result.outcome?.status).toBe(status);
    expect(vi.getTimerCount()).toBe(0);
    expect(removeSpy).toHaveBeenCalledWith('message', listener);
    expect(signIn.isOpen).toBe(false);

    const before = result.outcome;
    post({ type: 'quincer-identify', token: OTHER_TOKEN, state });
    vi.advanceTimersByTime(300_000);
    await flush();
    expect(result.outcome).toBe(before);
    await expect(promise).resolves.toBe(before);
    expect(signIn.isOpen).toBe(false);
  });
});

describe('hasTransientUserActivation', () => {
  it('reads navigator.userActivation.isActive', () => {
    const active = { navigator: { userActivation: { isActive: true } } } as unknown as Window;
    const lapsed = { navigator: { userActivation: { isActive: false } } } as unknown as Window;
    expect(hasTransientUserActivation(active)).toBe(true);
    expect(hasTransientUserActivation(lapsed)).toBe(false);
  });

  it('is false where the browser does not say (no userActivation)', () => {
    expect(hasTransientUserActivation({ navigator: {} } as unknown as Window)).toBe(false);
  });
});
