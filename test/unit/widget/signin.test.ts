import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, shadowOf, until, widgetFor } from './helpers.js';

const SIGN_IN = 'https://signin.example.com/login';
let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
let opened: string[];
let popup: { closed: boolean; close(): void; focus(): void };
let popupBlocked: boolean;

beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: SIGN_IN });
  opened = [];
  popupBlocked = false;
  popup = { closed: false, close: () => (popup.closed = true), focus: () => undefined };
  vi.spyOn(window, 'open').mockImplementation(((url: string) => {
    if (popupBlocked) return null;
    opened.push(url);
    return popup as unknown as Window;
  }) as typeof window.open);
  // Only the send that holds the token is accepted.
  server.options.chat = ({ authorization }) =>
    authorization ? { type: 'answer', text: 'Your balance is 42.' } : { type: 'refusal', reason: 'missing-token' };
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  vi.restoreAllMocks();
  await server.close();
});

function signInButton(): HTMLButtonElement | undefined {
  return [...shadowOf().querySelectorAll('button')].find((b) => b.textContent === 'Sign in to continue');
}

function postFromPopup(data: unknown, origin = new URL(SIGN_IN).origin): void {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: popup as unknown as Window }));
}

describe('refusal → popup sign-in → re-send (SPEC §2.6 wiring)', () => {
  it('without user activation shows the button and emits signin-blocked; the click opens the popup; the token re-sends the message once', async () => {
    widget = widgetFor(server.url);
    const events: string[] = [];
    for (const name of ['signin-blocked', 'signin-complete', 'identify', 'message'] as const) widget.on(name, () => events.push(name));
    const result = await widget.send("what's my balance?");
    expect(result.status).toBe('refused');
    expect(events).toContain('signin-blocked');
    expect(opened).toHaveLength(0);
    await until(() => signInButton() !== undefined, 'Sign in to continue button');

    signInButton()!.click();
    expect(opened).toHaveLength(1);
    expect(new URL(opened[0]!).searchParams.get('quincer_state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Foreign origin and a non-token are ignored.
    postFromPopup({ type: 'quincer-identify', token: fakeJwt() }, 'https://evil.example');
    postFromPopup({ type: 'quincer-identify', token: 'nope' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(widget.isIdentified).toBe(false);

    const token = fakeJwt();
    postFromPopup({ type: 'quincer-identify', token });
    await until(() => shadowOf().textContent!.includes('Your balance is 42.'), 'answer after sign-in');
    expect(events).toContain('signin-complete');
    const chats = server.apiRequests().filter((r) => r.path === '/v1/chat');
    expect(chats).toHaveLength(2);
    expect(chats.map((r) => r.headers.authorization)).toEqual([undefined, `Bearer ${token}`]);
    const ids = chats.map((r) => (JSON.parse(r.body) as { messageId: string }).messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(popup.closed).toBe(true);
  });

  it('pressing the button again while the popup is open focuses it: one popup, one re-send, one signin-complete', async () => {
    widget = widgetFor(server.url);
    const complete = vi.fn();
    widget.on('signin-complete', complete);
    await widget.send('balance');
    await until(() => signInButton() !== undefined, 'button');
    const focus = vi.spyOn(popup, 'focus');
    signInButton()!.click();
    signInButton()!.click();
    signInButton()!.click();
    expect(opened).toHaveLength(1);
    expect(focus).toHaveBeenCalledTimes(2);
    postFromPopup({ type: 'quincer-identify', token: fakeJwt() });
    await until(() => shadowOf().textContent!.includes('Your balance is 42.'), 'answer');
    expect(server.apiRequests().filter((r) => r.path === '/v1/chat')).toHaveLength(2);
    expect(complete).toHaveBeenCalledTimes(1);
  });

  it('opens the popup by itself while the send still grants user activation, once per refused message', async () => {
    Object.defineProperty(navigator, 'userActivation', { value: { isActive: true }, configurable: true });
    try {
      widget = widgetFor(server.url);
      const blocked = vi.fn();
      widget.on('signin-blocked', blocked);
      await widget.send("what's my balance?");
      expect(opened).toHaveLength(1);
      expect(blocked).not.toHaveBeenCalled();
    } finally {
      delete (navigator as { userActivation?: unknown }).userActivation;
    }
  });

  it('a blocked popup on click emits signin-blocked and keeps the button', async () => {
    widget = widgetFor(server.url);
    const blocked = vi.fn();
    widget.on('signin-blocked', blocked);
    await widget.send('balance');
    await until(() => signInButton() !== undefined, 'button');
    popupBlocked = true;
    signInButton()!.click();
    expect(blocked).toHaveBeenCalledTimes(2);
    expect(signInButton()).toBeDefined();
  });

  it('a closed popup is said in the conversation and emits signin-cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      widget = widgetFor(server.url);
      const cancelled = vi.fn();
      widget.on('signin-cancelled', cancelled);
      const sent = widget.send('balance');
      await vi.waitFor(() => expect(signInButton()).toBeDefined());
      await sent;
      signInButton()!.click();
      popup.closed = true;
      await vi.advanceTimersByTimeAsync(3_000);
      expect(cancelled).toHaveBeenCalledWith({ reason: 'cancelled' });
      await vi.waitFor(() => expect(shadowOf().textContent).toContain('Sign-in was cancelled'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('with no Sign-in URL emits signin-required and explains', async () => {
    server.options.signInUrl = null;
    widget = widgetFor(server.url);
    const required = vi.fn();
    widget.on('signin-required', required);
    await widget.send('balance');
    expect(required).toHaveBeenCalledWith({ reason: 'missing-token', tool: 'account-balance' });
    await until(() => shadowOf().textContent!.includes('Sign in on this site first'), 'explanation');
    expect(signInButton()).toBeUndefined();
    expect(opened).toHaveLength(0);
  });

  it('logout aborts an open sign-in: a late token is not accepted', async () => {
    widget = widgetFor(server.url);
    await widget.send('balance');
    await until(() => signInButton() !== undefined, 'button');
    signInButton()!.click();
    widget.logout();
    postFromPopup({ type: 'quincer-identify', token: fakeJwt() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(widget.isIdentified).toBe(false);
    expect(server.apiRequests().filter((r) => r.path === '/v1/chat')).toHaveLength(1);
  });
});
