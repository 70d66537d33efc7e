// The helper without window.opener (issue 12): which channel it picks, and why none when none may.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BROADCAST_CHANNEL_PREFIX, SIGNIN_ACK_MESSAGE_TYPE } from '../../../src/protocol/signin.js';
import { POST_TOKEN_MESSAGES, postTokenToWidget, type PostTokenOptions } from '../../../src/signin/index.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const SITE = 'https://www.customer.example';
const STATE = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';
/** Nothing listens here: a helper that tried the relay would answer relay-unreachable, not no-opener. */
const CLOSED_RELAY = 'http://127.0.0.1:9';

function signInWindow(options: { href?: string; referrer?: string } = {}): Window & { close: ReturnType<typeof vi.fn> } {
  return {
    location: { href: options.href ?? `https://signin.example/done?quincer_state=${STATE}` },
    opener: null,
    // The page's document as far as the helper reads it: where to show text, and who opened it.
    document: { referrer: options.referrer ?? '', body: document.body, createElement: document.createElement.bind(document), querySelector: document.querySelector.bind(document) },
    sessionStorage: window.sessionStorage,
    close: vi.fn(),
  } as unknown as Window & { close: ReturnType<typeof vi.fn> };
}

const run = (overrides: Partial<PostTokenOptions> & { window: Window }) =>
  postTokenToWidget({ token: TOKEN, allowedOrigins: [SITE], messageElement: null, ...overrides });

afterEach(() => window.sessionStorage.clear());

describe('postTokenToWidget without window.opener', () => {
  it('refuses a relayUrl that is not an absolute http(s) URL', () => {
    for (const relayUrl of ['/v1', 'javascript:alert(1)', 'ftp://x.example']) {
      expect(run({ window: signInWindow(), relayUrl })).toMatchObject({ ok: false, code: 'invalid-relay-url' });
    }
  });

  it('without relayUrl answers no-opener at once, naming relayUrl for the developer', () => {
    const result = run({ window: signInWindow({ referrer: `${SITE}/` }) });
    expect(result).toMatchObject({ ok: false, code: 'no-opener', message: POST_TOKEN_MESSAGES['no-opener'] });
    expect((result as { detail: string }).detail).toMatch(/relayUrl/);
  });

  it('does not relay for a window that a page off the allowed origins opened (document.referrer)', () => {
    for (const referrer of ['', 'https://evil.example/', 'https://www.customer.example.evil.example/']) {
      const result = run({ window: signInWindow({ referrer }), relayUrl: CLOSED_RELAY });
      expect(result).toMatchObject({ ok: false, code: 'no-opener' });
      expect((result as { detail: string }).detail).toMatch(/referrer/);
    }
  });

  it('relays for a window opened from an allowed origin (here: the relay is down, so relay-unreachable after its retries)', async () => {
    const win = signInWindow({ referrer: `${SITE}/checkout` });
    const pending = run({ window: win, relayUrl: CLOSED_RELAY });
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toMatchObject({ ok: false, code: 'relay-unreachable' });
    expect(win.close).not.toHaveBeenCalled();
  }, 15_000);

  it('on the widget\'s own origin posts on the state\'s BroadcastChannel and reports broadcast once acknowledged', async () => {
    const win = signInWindow({ href: `${SITE}/sign-in?quincer_state=${STATE}` });
    const widget = new BroadcastChannel(BROADCAST_CHANNEL_PREFIX + STATE);
    const received: unknown[] = [];
    widget.onmessage = (event) => {
      received.push(event.data);
      widget.postMessage({ type: SIGNIN_ACK_MESSAGE_TYPE, state: STATE });
    };
    try {
      await expect(run({ window: win })).resolves.toEqual({ ok: true, code: 'broadcast', stateEchoed: true });
      expect(received).toEqual([{ type: 'quincer-identify', token: TOKEN, state: STATE }]);
      expect(win.close).toHaveBeenCalledTimes(1);
    } finally {
      widget.close();
    }
  });
});
