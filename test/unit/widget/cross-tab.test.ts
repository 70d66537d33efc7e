/**
 * The cross-tab signals in-process: Node's BroadcastChannel delivers between
 * channels of one thread the way a browser delivers between a site's tabs.
 * (The storage-event fallback and real tabs are covered in
 * test/e2e/identity/identity-switching.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { createChatWidget, type ChatWidgetInstance } from '../../../src/widget/index.js';
import { openTabChannel, type TabSignal } from '../../../src/widget/cross-tab.js';
import { fakeJwt, shadowOf, until } from './helpers.js';

let server: RecordingServer;
let other: RecordingServer;
const widgets: ChatWidgetInstance[] = [];
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null });
  other = await startRecordingServer({ signInUrl: null });
});
afterEach(async () => {
  for (const widget of widgets.splice(0)) widget.destroy();
  await server.close();
  await other.close();
});

function widgetOn(apiUrl: string) {
  const widget = createChatWidget({ apiUrl, stream: false });
  widgets.push(widget);
  const logouts: unknown[] = [];
  widget.on('logout', (detail) => logouts.push(detail));
  return { widget, logouts };
}

describe('cross-tab logout', () => {
  it('logout() reaches the widgets on the same apiUrl, as { source: "other-tab" }, and no other apiUrl', async () => {
    const here = widgetOn(server.url);
    const there = widgetOn(server.url);
    const elsewhere = widgetOn(other.url);
    const token = fakeJwt();
    for (const { widget } of [here, there, elsewhere]) widget.identify({ token });
    // What travels: only the signal, never a token.
    const seen: unknown[] = [];
    const spy = new BroadcastChannel(`quincer-chat-widget:${server.url}`);
    spy.onmessage = (event) => seen.push(event.data);
    try {
      here.widget.logout();
      await until(() => there.logouts.length === 1 && seen.length === 1, 'the other widget heard it');
      expect(here.logouts).toEqual([{ source: 'local' }]);
      expect(there.logouts).toEqual([{ source: 'other-tab' }]);
      expect(there.widget.isIdentified).toBe(false);
      expect(seen).toEqual([{ type: 'logout' }]);
      expect(JSON.stringify(seen)).not.toContain(token);
      expect(elsewhere.logouts).toEqual([]);
      expect(elsewhere.widget.isIdentified).toBe(true);
      // An other-tab logout is not passed on again.
      expect(there.logouts).toHaveLength(1);
    } finally {
      spy.close();
    }
  });

  it('ignores anything on the channel that is not one of its two signals', async () => {
    const received: TabSignal[] = [];
    const channel = openTabChannel(server.url, (signal) => received.push(signal));
    const sender = new BroadcastChannel(`quincer-chat-widget:${server.url}`);
    try {
      for (const data of [null, 'logout', { type: 'identify', token: fakeJwt() }, { type: 'ended' }, { type: 'ended', digest: 1 }]) {
        sender.postMessage(data);
      }
      sender.postMessage({ type: 'logout' });
      await until(() => received.length > 0, 'the valid signal');
      expect(received).toEqual([{ type: 'logout' }]);
    } finally {
      sender.close();
      channel.close();
    }
  });

  it("a logout in another tab ends this tab's open sign-in popup; a late token from it is not accepted", async () => {
    const signInUrl = 'https://signin.example.com/login';
    const popup = { closed: false, close: () => void (popup.closed = true), focus: () => undefined };
    vi.spyOn(window, 'open').mockImplementation((() => popup as unknown as Window) as typeof window.open);
    server.options.chat = () => ({ type: 'refusal', reason: 'missing-token' });
    try {
      const here = createChatWidget({ apiUrl: server.url, stream: false, signInUrl });
      widgets.push(here);
      here.open();
      await here.send('balance');
      const button = () => [...shadowOf().querySelectorAll('button')].find((b) => b.textContent === 'Sign in to continue');
      await until(() => button() !== undefined, 'Sign in to continue');
      button()!.click();
      expect(window.open).toHaveBeenCalledTimes(1);

      const there = widgetOn(server.url);
      there.widget.logout();
      await until(() => popup.closed, 'the popup closed');
      window.dispatchEvent(
        new MessageEvent('message', { data: { type: 'quincer-identify', token: fakeJwt() }, origin: new URL(signInUrl).origin, source: popup as unknown as Window }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(here.isIdentified).toBe(false);
      expect(server.apiRequests().filter((r) => r.path === '/v1/chat')).toHaveLength(1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('after destroy() a widget hears nothing', async () => {
    const here = widgetOn(server.url);
    const gone = widgetOn(server.url);
    const witness = widgetOn(server.url);
    gone.widget.destroy();
    here.widget.logout();
    await until(() => witness.logouts.length === 1, 'the witness heard it');
    expect(gone.logouts).toEqual([]);
  });
});
