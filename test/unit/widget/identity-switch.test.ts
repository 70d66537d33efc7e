/**
 * identify() with another token while a conversation is shown (issue 10): the
 * transcript leaves the DOM at once, nothing is sent until the backend answers
 * whether the new token may read the conversation, and then it either comes
 * back unchanged or is gone for good. The loopback server stands in for the
 * backend's ownership answer; the reference backend's own is in
 * test/e2e/identity/.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, shadowOf, until, widgetFor } from './helpers.js';

let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
/** The history answer for the current test, released by the test. */
let answer: { status: number | undefined; release: () => void; released: Promise<void> };

function holdHistory(status: number | undefined): void {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  answer = { status, release, released };
}

beforeEach(async () => {
  holdHistory(undefined);
  answer.release();
  server = await startRecordingServer({
    signInUrl: null,
    history: async () => {
      await answer.released;
      return answer.status;
    },
  });
  sessionStorage.clear();
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  await server.close();
});

const transcript = () => shadowOf().querySelector('[role=log]')!.textContent ?? '';
const historyRequests = () => server.apiRequests().filter((r) => r.path.startsWith('/v1/conversations/'));
const chatBodies = () => server.apiRequests().filter((r) => r.path === '/v1/chat').map((r) => JSON.parse(r.body) as { conversationId?: string | null; text: string });

async function aliceConversation(options = {}) {
  const alice = fakeJwt({ sub: 'alice' });
  widget = widgetFor(server.url, { persist: 'session', ...options });
  const resets: unknown[] = [];
  widget.on('conversation-reset', (detail) => resets.push(detail));
  widget.identify({ token: alice });
  expect(await widget.send('my balance')).toMatchObject({ status: 'answered' });
  await until(() => transcript().includes('You said: my balance'), 'alice answer');
  return { alice, resets, conversationId: sessionStorage.getItem('quincer-chat-widget:conversation')! };
}

describe('identify() with another token while a conversation is shown', () => {
  it('not readable (404): the transcript leaves the DOM at once, is removed for good, and the next message starts a new conversation', async () => {
    const { resets, conversationId } = await aliceConversation();
    expect(conversationId).toEqual(expect.any(String));
    holdHistory(404);
    const bob = fakeJwt({ sub: 'bob' });
    widget!.identify({ token: bob });
    // Before the backend has answered (it is held), the transcript is no longer in the DOM.
    await until(() => !transcript().includes('You said: my balance'), 'transcript out of the DOM');
    const sent = widget!.send('hello');
    await until(() => historyRequests().length === 1, 'the ownership check');
    expect(historyRequests()[0]!.headers.authorization).toBe(`Bearer ${bob}`);
    // Nothing goes into the old conversation while the check is open.
    expect(chatBodies().map((b) => b.text)).toEqual(['my balance']);
    answer.release();
    expect(await sent).toMatchObject({ status: 'answered' });
    expect(chatBodies().at(-1)).toMatchObject({ text: 'hello', conversationId: null });
    expect(resets).toEqual([{ reason: 'identity-changed' }]);
    expect(transcript()).not.toContain('my balance');
    expect(transcript()).toContain('You said: hello');
    expect(sessionStorage.getItem('quincer-chat-widget:conversation')).not.toBe(conversationId);
  });

  it('readable (200): the same transcript comes back unchanged, and the held message goes into the same conversation', async () => {
    const { resets, conversationId } = await aliceConversation();
    const messages = () => [...shadowOf().querySelectorAll('.msg')].map((el) => el.outerHTML);
    const before = messages();
    holdHistory(undefined);
    widget!.identify({ token: fakeJwt({ sub: 'alice' }) });
    await until(() => !transcript().includes('You said: my balance'), 'transcript out of the DOM');
    const sent = widget!.send('again');
    answer.release();
    expect(await sent).toMatchObject({ status: 'answered' });
    expect(messages().slice(0, before.length)).toEqual(before);
    expect(chatBodies().at(-1)).toMatchObject({ text: 'again', conversationId });
    expect(resets).toEqual([]);
  });

  it("the owner's token merely expired (401): kept, for the refresh or sign-in that follows", async () => {
    const { resets, conversationId } = await aliceConversation();
    holdHistory(401);
    answer.release();
    widget!.identify({ token: fakeJwt({ sub: 'alice' }) });
    await until(() => transcript().includes('You said: my balance'), 'transcript back');
    expect(resets).toEqual([]);
    expect(sessionStorage.getItem('quincer-chat-widget:conversation')).toBe(conversationId);
  });

  it('no answer (the connection drops): removed and forgotten, as for another visitor', async () => {
    const { resets } = await aliceConversation();
    holdHistory(0);
    answer.release();
    widget!.identify({ token: fakeJwt({ sub: 'bob' }) });
    await until(() => resets.length === 1, 'reset');
    expect(transcript()).not.toContain('my balance');
    expect(sessionStorage.getItem('quincer-chat-widget:conversation')).toBeNull();
  });

  it('the same token again, or a first sign-in on an anonymous conversation, asks nothing', async () => {
    widget = widgetFor(server.url);
    expect(await widget.send('anonymous question')).toMatchObject({ status: 'answered' });
    const token = fakeJwt();
    widget.identify({ token });
    widget.identify({ token });
    expect(await widget.send('signed in')).toMatchObject({ status: 'answered' });
    expect(historyRequests()).toEqual([]);
    const [first, second] = chatBodies();
    expect(first!.conversationId).toBeNull();
    expect(second!.conversationId).toEqual(expect.any(String));
    expect(transcript()).toContain('You said: anonymous question');
  });

  it("no conversation yet, alice's first message in flight: identify(bob) removes it at once, and bob's message is answered in a new conversation", async () => {
    let releaseAlice!: () => void;
    const aliceHeld = new Promise<void>((resolve) => (releaseAlice = resolve));
    server.options.chat = async ({ request }) => {
      if (request.text === 'alice first') await aliceHeld;
      return { type: 'answer', text: `You said: ${request.text}` };
    };
    widget = widgetFor(server.url);
    const resets: unknown[] = [];
    widget.on('conversation-reset', (detail) => resets.push(detail));
    widget.identify({ token: fakeJwt({ sub: 'alice' }) });
    const alice = widget.send('alice first');
    await until(() => chatBodies().length === 1, "alice's request");
    widget.identify({ token: fakeJwt({ sub: 'bob' }) });
    expect(resets).toEqual([{ reason: 'identity-changed' }]);
    expect(await widget.send('bob first')).toMatchObject({ status: 'answered' });
    releaseAlice();
    expect(await alice).toMatchObject({ status: 'aborted' });
    await until(() => transcript().includes('You said: bob first'), "bob's answer");
    expect(transcript()).not.toContain('alice first');
    expect(historyRequests()).toEqual([]);
  });

  it('a later identify() takes over a check still open; only the last answer counts', async () => {
    const { resets } = await aliceConversation();
    holdHistory(404);
    widget!.identify({ token: fakeJwt({ sub: 'bob' }) });
    widget!.identify({ token: fakeJwt({ sub: 'carol' }) });
    const sent = widget!.send('from carol');
    answer.release();
    expect(await sent).toMatchObject({ status: 'answered' });
    expect(resets).toEqual([{ reason: 'identity-changed' }]);
    expect(chatBodies().at(-1)).toMatchObject({ text: 'from carol', conversationId: null });
    expect(transcript()).toContain('You said: from carol');
    expect(transcript()).not.toContain('my balance');
  });

  it('logout() while a message waits for the check: the message is not sent at all', async () => {
    await aliceConversation();
    holdHistory(404);
    widget!.identify({ token: fakeJwt({ sub: 'bob' }) });
    const sent = widget!.send('never sent');
    widget!.logout();
    answer.release();
    expect(await sent).toMatchObject({ status: 'aborted' });
    expect(chatBodies().map((b) => b.text)).toEqual(['my balance']);
  });
});

describe('a conversation the backend no longer has for this token', () => {
  it('404 conversation-not-found on a send: the message fails once, and Retry goes into a new conversation', async () => {
    await aliceConversation();
    server.options.chat = ({ request }) =>
      request.conversationId
        ? { type: 'error', status: 404, code: 'conversation-not-found', message: 'This conversation does not exist or belongs to another visitor.' }
        : { type: 'answer', text: `You said: ${request.text}` };
    expect(await widget!.send('still there?')).toMatchObject({ status: 'failed', code: 'conversation-not-found' });
    expect(sessionStorage.getItem('quincer-chat-widget:conversation')).toBeNull();
    const retry = () => [...shadowOf().querySelectorAll('button')].find((b) => b.textContent === 'Retry');
    await until(() => retry() !== undefined, 'Retry');
    retry()!.click();
    await until(() => transcript().includes('You said: still there?'), 'answered in a new conversation');
    expect(chatBodies().filter((b) => b.text === 'still there?').map((b) => b.conversationId ?? null)).toEqual([expect.any(String), null]);
  });
});
