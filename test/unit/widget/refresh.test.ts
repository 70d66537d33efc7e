import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { Auth, REFRESH_LEAD_MS } from '../../../src/widget/auth.js';
import { createStateStore } from '../../../src/widget/storage.js';
import { fakeJwt, widgetFor } from './helpers.js';

let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null });
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  vi.useRealTimers();
  await server.close();
});

/** The server refuses `stale` as expired and answers `fresh`. */
function gateOn(fresh: () => string | null): void {
  server.options.chat = ({ authorization, request }) =>
    authorization === `Bearer ${fresh()}` ? { type: 'answer', text: `secret for ${request.text}` } : { type: 'refusal', reason: 'expired' };
}

describe('refresh after an `expired` refusal (SPEC §2.4)', () => {
  it('N concurrent expired refusals make one provider call and one retry each', async () => {
    const stale = fakeJwt();
    let fresh: string | null = null;
    gateOn(() => fresh);
    let calls = 0;
    const refresh = vi.fn(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      fresh = fakeJwt({ n: calls });
      return fresh;
    });
    widget = widgetFor(server.url);
    widget.identify({ token: stale, refresh });
    const N = 5;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => widget!.send(`q${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array(N).fill('answered'));
    expect(refresh).toHaveBeenCalledTimes(1);
    const chats = server.apiRequests().filter((r) => r.path === '/v1/chat');
    expect(chats).toHaveLength(2 * N);
    const perMessage = new Map<string, string[]>();
    for (const chat of chats) {
      const { messageId } = JSON.parse(chat.body) as { messageId: string };
      perMessage.set(messageId, [...(perMessage.get(messageId) ?? []), String(chat.headers.authorization)]);
    }
    expect(perMessage.size).toBe(N);
    for (const auths of perMessage.values()) expect(auths).toEqual([`Bearer ${stale}`, `Bearer ${fresh}`]);
  });

  it('retries once only: a second expired refusal is shown, not refreshed again', async () => {
    server.options.chat = () => ({ type: 'refusal', reason: 'expired' });
    const refresh = vi.fn(async () => fakeJwt());
    widget = widgetFor(server.url);
    widget.identify({ token: fakeJwt(), refresh });
    const required = vi.fn();
    widget.on('signin-required', required);
    const result = await widget.send('balance');
    expect(result.status).toBe('refused');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.apiRequests().filter((r) => r.path === '/v1/chat')).toHaveLength(2);
    // No Sign-in URL known: the widget says so and emits signin-required.
    expect(required).toHaveBeenCalledWith({ reason: 'expired', tool: 'account-balance' });
  });

  it('a failing provider falls back to the sign-in prompt and reports an error without the token', async () => {
    server.options.chat = () => ({ type: 'refusal', reason: 'expired' });
    server.options.signInUrl = 'https://signin.example.com/login';
    const token = fakeJwt();
    widget = widgetFor(server.url);
    const errors: Array<{ code: string; message: string }> = [];
    const blocked = vi.fn();
    widget.on('error', (e) => errors.push(e));
    widget.on('signin-blocked', blocked);
    widget.identify({ token, refresh: () => Promise.reject(new Error(`provider down ${token}`)) });
    const result = await widget.send('balance');
    expect(result.status).toBe('refused');
    expect(errors.map((e) => e.code)).toContain('refresh-failed');
    expect(JSON.stringify(errors)).not.toContain(token);
    expect(blocked).toHaveBeenCalledTimes(1);
    const shadow = document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!;
    expect([...shadow.querySelectorAll('button')].some((b) => b.textContent === 'Sign in to continue')).toBe(true);
  });

  it('a provider returning a non-token is a failed refresh, and the old token is kept until logout', async () => {
    server.options.chat = () => ({ type: 'refusal', reason: 'expired' });
    widget = widgetFor(server.url);
    const stale = fakeJwt();
    widget.identify({ token: stale, refresh: async () => 'not a jwt' });
    await widget.send('balance');
    const chats = server.apiRequests().filter((r) => r.path === '/v1/chat');
    expect(chats).toHaveLength(1);
    expect(chats[0]!.headers.authorization).toBe(`Bearer ${stale}`);
  });
});

describe('scheduled refresh', () => {
  it('refreshes shortly before the unverified exp, once, and not after logout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const now = Date.now();
    const identified: string[] = [];
    const auth = new Auth(createStateStore('memory'), {
      onIdentified: (source) => identified.push(source),
      onRefreshFailed: () => undefined,
      now: () => Date.now(),
    });
    const next = fakeJwt({ exp: Math.floor(now / 1000) + 3600 });
    const provider = vi.fn(async () => next);
    auth.identify({ token: fakeJwt({ exp: Math.floor(now / 1000) + 60 }), refresh: provider });
    await vi.advanceTimersByTimeAsync(60_000 - REFRESH_LEAD_MS - 1_000);
    expect(provider).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(auth.token).toBe(next);
    expect(identified).toEqual(['identify', 'refresh']);
    auth.logout();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(auth.token).toBeNull();
  });

  it('a refresh that completes after logout does not bring the token back', async () => {
    let release!: (token: string) => void;
    const auth = new Auth(createStateStore('memory'), { onIdentified: () => undefined, onRefreshFailed: () => undefined, now: Date.now });
    const stale = fakeJwt();
    auth.identify({ token: stale, refresh: () => new Promise<string>((resolve) => (release = resolve)) });
    const pending = auth.refresh(stale);
    auth.logout();
    release(fakeJwt());
    expect(await pending).toBe(false);
    expect(auth.token).toBeNull();
  });
});
