import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, until, widgetFor } from './helpers.js';

let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null });
  sessionStorage.clear();
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  await server.close();
});

function assertTokenOnlyInHeader(token: string): void {
  for (const request of server.requests) {
    expect(request.url).not.toContain(token);
    expect(request.body).not.toContain(token);
    expect(request.url).not.toMatch(/token|jwt|bearer/i);
  }
}

describe('Authorization on every request kind (SPEC §2.5)', () => {
  it('widget config, chat JSON, chat SSE, retry and history carry the Bearer token while identified', async () => {
    const token = fakeJwt();
    let dropNext = false;
    server.options.chat = ({ request }) => (dropNext && request.text === 'flaky' ? ((dropNext = false), { type: 'drop' }) : { type: 'answer', text: `ok ${request.text}` });
    widget = widgetFor(server.url, { persist: 'session' });
    widget.identify({ token });
    await until(() => server.apiRequests().some((r) => r.path === '/v1/widget-config'), 'widget config');

    expect((await widget.send('json please')).status).toBe('answered');
    widget.destroy();

    // SSE, with the conversation id now in sessionStorage: the next widget loads history first.
    widget = widgetFor(server.url, { persist: 'session', stream: true });
    widget.identify({ token });
    expect((await widget.send('stream please')).status).toBe('answered');
    dropNext = true;
    const failed = await widget.send('flaky');
    expect(failed.status).toBe('failed');
    // Retry through the UI affordance.
    const shadow = document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!;
    await until(() => [...shadow.querySelectorAll('button')].some((b) => b.textContent === 'Retry'), 'retry button');
    [...shadow.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!.click();
    await until(() => server.apiRequests().filter((r) => r.body.includes('"flaky"')).length === 2, 'retry request');
    await until(() => shadow.textContent!.includes('ok flaky'), 'retried answer');

    const kinds = new Set<string>();
    for (const request of server.apiRequests()) {
      const accept = String(request.headers.accept);
      kinds.add(request.path.startsWith('/v1/conversations/') ? 'history' : request.path === '/v1/chat' ? (accept.includes('event-stream') ? 'sse' : 'json') : request.path);
      expect(request.headers.authorization, `${request.method} ${request.url}`).toBe(`Bearer ${token}`);
    }
    expect([...kinds].sort()).toEqual(['/v1/widget-config', 'history', 'json', 'sse'].sort());
    assertTokenOnlyInHeader(token);
  });

  it('sends no Authorization header before identify and after logout', async () => {
    const token = fakeJwt();
    widget = widgetFor(server.url);
    await widget.send('anonymous');
    widget.identify({ token });
    await widget.send('identified');
    widget.logout();
    await widget.send('after logout');
    const chats = server.apiRequests().filter((r) => r.path === '/v1/chat');
    expect(chats.map((r) => r.headers.authorization)).toEqual([undefined, `Bearer ${token}`, undefined]);
    const config = server.apiRequests().filter((r) => r.path === '/v1/widget-config');
    expect(config.every((r) => r.headers.authorization === undefined)).toBe(true);
    // logout started a fresh conversation.
    const bodies = chats.map((r) => JSON.parse(r.body) as { conversationId: string | null });
    expect(bodies[0]!.conversationId).toBeNull();
    expect(typeof bodies[1]!.conversationId).toBe('string');
    expect(bodies[2]!.conversationId).toBeNull();
    assertTokenOnlyInHeader(token);
  });

  it('a retry after a network failure reuses the messageId, so the server stores one message', async () => {
    let drops = 1;
    server.options.chat = () => (drops-- > 0 ? { type: 'drop' } : { type: 'answer', text: 'answered once' });
    widget = widgetFor(server.url);
    const first = await widget.send('hello');
    expect(first.status).toBe('failed');
    const shadow = document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!;
    [...shadow.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!.click();
    await until(() => shadow.textContent!.includes('answered once'), 'answer after retry');
    const chats = server.apiRequests().filter((r) => r.path === '/v1/chat').map((r) => JSON.parse(r.body) as { messageId: string });
    expect(chats).toHaveLength(2);
    expect(chats[0]!.messageId).toBe(chats[1]!.messageId);
    expect(chats[0]!.messageId).toMatch(/^[0-9a-f-]{36}$/);
    // Shown once in the conversation.
    expect(shadow.querySelectorAll('.visitor')).toHaveLength(1);
  });

  it('streams deltas into the conversation before the end event', async () => {
    server.options.deltaDelayMs = 40;
    server.options.chat = () => ({ type: 'answer', text: 'one two three four five six' });
    widget = widgetFor(server.url, { stream: true });
    const sent = widget.send('stream');
    const shadow = document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!;
    await until(() => /one two/.test(shadow.querySelector('.assistant')?.textContent ?? ''), 'partial text');
    expect(shadow.querySelector('.assistant')!.textContent).not.toContain('six');
    expect((await sent).status).toBe('answered');
    await until(() => shadow.querySelector('.assistant')!.textContent!.includes('one two three four five six'), 'full text');
  });
});
