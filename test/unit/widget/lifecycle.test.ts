import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { EVENT_NAMES, type ChatWidgetInstance } from '../../../src/widget/index.js';
import { fakeJwt, shadowOf, until, widgetFor } from './helpers.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null, deltaDelayMs: 20 });
});
afterEach(async () => {
  await server.close();
});

function listenToAll(widget: ChatWidgetInstance) {
  const seen: string[] = [];
  for (const name of EVENT_NAMES) widget.on(name, () => seen.push(name));
  return seen;
}

describe('events and destroy()', () => {
  it('emits ready, open, close, message, identify, logout', async () => {
    const widget = widgetFor(server.url, {}, { open: false });
    const seen = listenToAll(widget);
    await until(() => seen.includes('ready'), 'ready');
    widget.open();
    widget.toggle();
    widget.identify({ token: fakeJwt() });
    await widget.send('hi');
    widget.logout();
    expect(seen).toEqual(['ready', 'open', 'close', 'identify', 'message', 'message', 'logout']);
    widget.destroy();
  });

  it('boots with the launcher only and builds the panel on first open', async () => {
    const widget = widgetFor(server.url, {}, { open: false });
    const shadow = shadowOf();
    expect(shadow.querySelector('.launcher')!.getAttribute('aria-expanded')).toBe('false');
    expect(shadow.querySelector('.panel')).toBeNull();
    widget.open();
    await until(() => shadow.querySelector('.panel') !== null, 'panel');
    expect(shadow.querySelector('.launcher')!.getAttribute('aria-controls')).toBe(shadow.querySelector('.panel')!.id);
    expect(shadow.querySelector('[role=log]')!.getAttribute('aria-live')).toBe('polite');
    widget.destroy();
  });

  it('a script in <head> that runs before <body> exists attaches the widget once the document is parsed', () => {
    const body = document.body;
    body.remove();
    try {
      const widget = widgetFor(server.url, {}, { open: false });
      expect(document.querySelector('[data-quincer-chat-widget]')).toBeNull();
      document.documentElement.append(body);
      document.dispatchEvent(new Event('DOMContentLoaded'));
      expect(document.body.querySelector('[data-quincer-chat-widget]')).not.toBeNull();
      widget.destroy();
      expect(document.querySelector('[data-quincer-chat-widget]')).toBeNull();
    } finally {
      if (!body.isConnected) document.documentElement.append(body);
    }
  });

  it('on() returns an unbind function', async () => {
    const widget = widgetFor(server.url, {}, { open: false });
    const handler = vi.fn();
    const unbind = widget.on('open', handler);
    widget.open();
    unbind();
    widget.close();
    widget.open();
    expect(handler).toHaveBeenCalledTimes(1);
    widget.destroy();
  });

  it('after destroy() nothing fires and nothing of the widget is left in the page', async () => {
    const before = document.body.innerHTML;
    const token = fakeJwt();
    const widget = widgetFor(server.url, { stream: true }, { open: false });
    const seen = listenToAll(widget);
    widget.identify({ token, refresh: async () => fakeJwt() });
    widget.open();
    // A reply is streaming when the widget is destroyed.
    server.options.chat = () => ({ type: 'answer', text: 'a b c d e f g h i j k l m n o p' });
    const pending = widget.send('long answer');
    await until(() => server.apiRequests().some((r) => r.path === '/v1/chat'), 'chat request');
    const countAtDestroy = seen.length;
    widget.destroy();
    expect(document.querySelector('[data-quincer-chat-widget]')).toBeNull();
    expect(document.body.innerHTML).toBe(before);
    expect((await pending).status).toBe('aborted');
    // Every method is inert now.
    widget.open();
    widget.close();
    widget.logout();
    widget.identify({ token });
    widget.on('open', () => seen.push('late'));
    widget.open();
    await expect(widget.send('again')).rejects.toMatchObject({ code: 'destroyed' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.length).toBe(countAtDestroy);
    expect(document.querySelector('[data-quincer-chat-widget]')).toBeNull();
  });

  it('destroy() right after creation leaves no request and no ready behind', async () => {
    const widget = widgetFor(server.url, {}, { open: false });
    const ready = vi.fn();
    widget.on('ready', ready);
    widget.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ready).not.toHaveBeenCalled();
    expect(server.apiRequests()).toHaveLength(0);
  });

  it('Escape closes the panel and returns focus to the launcher; Enter sends, Shift+Enter does not', async () => {
    const widget = widgetFor(server.url, {}, { open: false });
    const sent = vi.fn();
    widget.on('message', sent);
    widget.open();
    const shadow = shadowOf();
    await until(() => shadow.activeElement?.tagName === 'TEXTAREA', 'focus in the input');
    const input = shadow.querySelector('textarea')!;
    input.value = 'line one';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    expect(sent).not.toHaveBeenCalled();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sent).toHaveBeenCalledWith({ role: 'visitor', id: expect.any(String), text: 'line one' });
    expect(input.value).toBe('');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(widget.isOpen).toBe(false);
    await until(() => shadow.activeElement?.classList.contains('launcher') === true, 'focus on the launcher');
    widget.destroy();
  });
});
