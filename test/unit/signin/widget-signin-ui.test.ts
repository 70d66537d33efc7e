// The widget's side of issue 12 in happy-dom: the Cancel control of a pending sign-in, and a second
// "Sign in to continue" after the popup reads closed (as it does at once under COOP) opening a new popup
// that takes the refused message over, without a signin-cancelled for the replaced one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, shadowOf, until, widgetFor } from '../widget/helpers.js';

const SIGN_IN = 'https://signin.example.com/login';
let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
let popups: Array<{ closed: boolean; close(): void; focus(): void }>;

beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: SIGN_IN });
  popups = [];
  vi.spyOn(window, 'open').mockImplementation((() => {
    const popup = { closed: false, close: () => (popup.closed = true), focus: () => undefined };
    popups.push(popup);
    return popup as unknown as Window;
  }) as typeof window.open);
  server.options.chat = ({ authorization }) =>
    authorization ? { type: 'answer', text: 'Your balance is 42.' } : { type: 'refusal', reason: 'missing-token' };
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  vi.restoreAllMocks();
  await server.close();
});

const button = (name: string) => [...shadowOf().querySelectorAll('button')].find((b) => b.textContent === name);

function post(popup: unknown, token: string): void {
  window.dispatchEvent(new MessageEvent('message', { data: { type: 'quincer-identify', token }, origin: new URL(SIGN_IN).origin, source: popup as Window }));
}

describe('pending sign-in in the widget', () => {
  it('shows Cancel while pending; Cancel ends it with signin-cancelled { reason: dismissed } and closes the popup', async () => {
    widget = widgetFor(server.url);
    const cancelled = vi.fn();
    widget.on('signin-cancelled', cancelled);
    await widget.send('balance');
    await until(() => button('Sign in to continue') !== undefined, 'the sign-in button');
    expect(button('Cancel')).toBeUndefined();
    button('Sign in to continue')!.click();
    await until(() => button('Cancel') !== undefined, 'the Cancel button');
    button('Cancel')!.click();
    await until(() => cancelled.mock.calls.length === 1, 'signin-cancelled');
    expect(cancelled).toHaveBeenCalledWith({ reason: 'dismissed' });
    expect(popups[0]!.closed).toBe(true);
    await until(() => button('Cancel') === undefined && button('Sign in to continue') !== undefined, 'the offer again');
  });

  it('a second click after the popup reads closed opens a new popup that completes the same message; no signin-cancelled', async () => {
    widget = widgetFor(server.url);
    const cancelled = vi.fn();
    widget.on('signin-cancelled', cancelled);
    await widget.send('balance');
    await until(() => button('Sign in to continue') !== undefined, 'the sign-in button');
    button('Sign in to continue')!.click();
    popups[0]!.closed = true; // what a Cross-Origin-Opener-Policy does to the widget's handle
    button('Sign in to continue')!.click();
    expect(popups).toHaveLength(2);
    await until(() => button('Cancel') !== undefined, 'still pending');
    post(popups[1], fakeJwt());
    await until(() => shadowOf().textContent?.includes('Your balance is 42.') === true, 'the answer');
    expect(cancelled).not.toHaveBeenCalled();
    expect(server.requests.filter((r) => r.path === '/v1/chat' && r.headers.authorization !== undefined).length).toBe(1);
  });
});
