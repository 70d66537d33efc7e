import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, until, widgetFor } from './helpers.js';

let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null });
  localStorage.clear();
  sessionStorage.clear();
  document.cookie.split(';').forEach((c) => (document.cookie = `${c.split('=')[0]}=; expires=Thu, 01 Jan 1970 00:00:00 GMT`));
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  await server.close();
});

function everywhere(): string {
  const parts = [document.cookie, location.href, document.documentElement.outerHTML];
  for (const storage of [localStorage, sessionStorage]) {
    for (let i = 0; i < storage.length; i++) parts.push(`${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
  }
  return parts.join('\n');
}

describe('token storage (SPEC §2.4)', () => {
  it("keeps the token in memory only by default: nothing in localStorage, sessionStorage, cookies, the URL or the DOM", async () => {
    const token = fakeJwt();
    widget = widgetFor(server.url);
    widget.identify({ token });
    await widget.send('hi');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(everywhere()).not.toContain(token);
    expect(widget.isIdentified).toBe(true);
  });

  it("uses sessionStorage only with persist: 'session', never localStorage or cookies", async () => {
    const token = fakeJwt();
    widget = widgetFor(server.url, { persist: 'session' });
    widget.identify({ token });
    await widget.send('hi');
    expect(localStorage.length).toBe(0);
    expect(document.cookie).not.toContain(token);
    expect(Object.values({ ...sessionStorage })).toContain(token);
    widget.destroy();
    // A new page view in the same tab picks the token up again.
    widget = widgetFor(server.url, { persist: 'session' });
    expect(widget.isIdentified).toBe(true);
  });

  it('logout forgets the token and the conversation everywhere', async () => {
    const token = fakeJwt();
    widget = widgetFor(server.url, { persist: 'session' });
    widget.identify({ token });
    await widget.send('hi');
    expect(sessionStorage.length).toBe(2);
    widget.logout();
    expect(widget.isIdentified).toBe(false);
    expect(sessionStorage.length).toBe(0);
    expect(everywhere()).not.toContain(token);
    const shadow = document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!;
    await until(() => shadow.querySelectorAll('.msg').length === 0, 'conversation cleared');
    widget.destroy();
    widget = widgetFor(server.url, { persist: 'session' });
    expect(widget.isIdentified).toBe(false);
  });

  it("logout() in persist 'memory' also removes the keys a persist 'session' page left in this tab", async () => {
    const token = fakeJwt();
    widget = widgetFor(server.url, { persist: 'session' });
    widget.identify({ token });
    await widget.send('hi');
    widget.destroy();
    sessionStorage.setItem('another-app:keep', '1');
    expect(sessionStorage.getItem('quincer-chat-widget:token')).toBe(token);

    widget = widgetFor(server.url);
    widget.logout();
    expect(sessionStorage.getItem('quincer-chat-widget:token')).toBeNull();
    expect(sessionStorage.getItem('quincer-chat-widget:conversation')).toBeNull();
    expect(sessionStorage.getItem('another-app:keep')).toBe('1');
    widget.destroy();
    // The next session-mode page in this tab is signed out.
    widget = widgetFor(server.url, { persist: 'session' });
    expect(widget.isIdentified).toBe(false);
  });

  it('drops a stored value that is not a token', () => {
    sessionStorage.setItem('quincer-chat-widget:token', 'garbage');
    widget = widgetFor(server.url, { persist: 'session' });
    expect(widget.isIdentified).toBe(false);
    expect(sessionStorage.getItem('quincer-chat-widget:token')).toBeNull();
  });
});
