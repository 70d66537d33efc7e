import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { readmeSnippetScript } from '../../helpers/readme-snippet.js';
import { installGlobal } from '../../../src/widget/global-install.js';
import { API_METHODS, type ChatWidgetApi } from '../../../src/widget/api.js';
import { fakeJwt } from './helpers.js';
import { startRecordingServer } from '../../helpers/recording-server.js';

/** The inline <script> of the snippet, run against `win` (as a page would). */
function runSnippet(win: object): void {
  new Function('window', readmeSnippetScript())(win);
}

type Win = { ChatWidget?: unknown };
const apis: ChatWidgetApi[] = [];
afterEach(() => {
  for (const api of apis.splice(0)) api.destroy();
});

describe('the pre-load snippet', () => {
  it("lists exactly the API's methods", () => {
    const names = /\[((?:\s*'[a-z]+',?)+)\s*\]/.exec(readmeSnippetScript())![1]!.match(/[a-z]+/g);
    expect(names).toEqual([...API_METHODS]);
    const win: Win = {};
    const api = installGlobal(win, null);
    apis.push(api);
    const methods = Object.keys(api).filter((key) => typeof (api as unknown as Record<string, unknown>)[key] === 'function');
    expect(methods.sort()).toEqual([...API_METHODS].sort());
  });

  it('is what the demo serves as its loader (the demo runs the documented snippet)', () => {
    const loader = readFileSync('demo/customer-site/loader.js', 'utf8').replace(/^\/\/.*\n/gm, '');
    expect(loader.trim()).toBe(readmeSnippetScript().replace(/^ {2}/gm, '').trim());
  });

  it('is not fooled by an element named ChatWidget, and a second paste keeps the first stub or the live API', () => {
    const clobbered: Win = { ChatWidget: document.createElement('div') };
    runSnippet(clobbered);
    const stub = clobbered.ChatWidget as { q?: unknown };
    expect(Array.isArray(stub.q)).toBe(true);
    runSnippet(clobbered);
    expect(clobbered.ChatWidget).toBe(stub);

    const loaded: Win = {};
    runSnippet(loaded);
    const api = installGlobal(loaded, null);
    apis.push(api);
    runSnippet(loaded);
    expect(loaded.ChatWidget).toBe(api);
  });

  it('queues calls and the bundle replays them in order', async () => {
    const server = await startRecordingServer({ signInUrl: null });
    try {
      const win: Win = {};
      runSnippet(win);
      const stub = win.ChatWidget as ChatWidgetApi;
      const token = fakeJwt();
      const order: string[] = [];
      stub.on('identify', () => order.push('identify'));
      stub.on('open', () => order.push('open'));
      const unbound = vi.fn();
      const unbind = stub.on('open', unbound);
      unbind();
      stub.identify({ token });
      stub.init({ apiUrl: server.url, stream: false });
      stub.open();
      const sent = stub.send('queued hello');

      const api = installGlobal(win, null);
      apis.push(api);
      expect(win.ChatWidget).toBe(api);
      expect(order).toEqual(['identify', 'open']);
      expect(unbound).not.toHaveBeenCalled();
      const result = (await sent) as { status: string };
      expect(result.status).toBe('answered');
      const chat = server.apiRequests().find((r) => r.path === '/v1/chat')!;
      expect(chat.headers.authorization).toBe(`Bearer ${token}`);
    } finally {
      await server.close();
    }
  });

  it('a queued call that throws is reported and the rest still run', () => {
    const win: Win = {};
    runSnippet(win);
    const stub = win.ChatWidget as ChatWidgetApi;
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    stub.init({ apiUrl: 'not a url' });
    stub.init({ apiUrl: 'http://127.0.0.1:9', signInUrl: 'https://example.com/s' });
    const api = installGlobal(win, null);
    apis.push(api);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/"apiUrl"/);
    expect(api.widget).not.toBeNull();
    error.mockRestore();
  });

  it('loading the bundle twice keeps one widget', () => {
    const win: Win = {};
    runSnippet(win);
    (win.ChatWidget as ChatWidgetApi).init({ apiUrl: 'http://127.0.0.1:9', signInUrl: 'https://example.com/s' });
    const first = installGlobal(win, null);
    apis.push(first);
    const second = installGlobal(win, null);
    expect(second).toBe(first);
    expect(win.ChatWidget).toBe(first);
    expect(document.querySelectorAll('[data-quincer-chat-widget]')).toHaveLength(1);
    // The snippet pasted again after load does not replace the live API either.
    runSnippet(win);
    expect(win.ChatWidget).toBe(first);
  });

  it('auto-inits from the script tag data-* attributes', () => {
    const script = document.createElement('script');
    script.dataset['apiUrl'] = 'http://127.0.0.1:9';
    script.dataset['signInUrl'] = 'https://example.com/sign-in';
    script.dataset['position'] = 'bottom-left';
    const api = installGlobal({}, script);
    apis.push(api);
    expect(api.widget).not.toBeNull();
    expect(document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!.querySelector('.root.left')).not.toBeNull();
  });

  it('calls before init() on the ESM singleton are applied by init()', () => {
    const win: Win = {};
    const api = installGlobal(win, null);
    apis.push(api);
    expect(() => api.identify({ token: 'a.b' })).toThrow(/2 dot-separated segments/);
    api.identify({ token: fakeJwt() });
    api.open();
    api.init({ apiUrl: 'http://127.0.0.1:9', signInUrl: 'https://example.com/s' });
    expect(api.widget!.isIdentified).toBe(true);
    expect(api.widget!.isOpen).toBe(true);
    expect(() => api.init({ apiUrl: 'http://127.0.0.1:9' })).toThrow(/already/);
  });
});
