import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  postTokenToWidget,
  readWidgetState,
  MESSAGE_ELEMENT_ATTRIBUTE,
  POST_TOKEN_MESSAGES,
  type PostTokenOptions,
  type PostTokenResult,
} from '../../../src/signin/index.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const SITE = 'https://www.customer.example';
const STATE = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

interface FakeOpener {
  closed: boolean;
  postMessage: ReturnType<typeof vi.fn>;
}

/** The sign-in page's window: a real happy-dom document, a controllable opener and URL. */
function signInWindow(options: { href?: string; opener?: unknown } = {}): Window & { close: ReturnType<typeof vi.fn> } {
  return {
    location: { href: options.href ?? `https://signin.example/done?quincer_state=${STATE}` },
    opener: options.opener === undefined ? fakeOpener() : options.opener,
    document,
    close: vi.fn(),
  } as unknown as Window & { close: ReturnType<typeof vi.fn> };
}

function fakeOpener(): FakeOpener {
  return { closed: false, postMessage: vi.fn() };
}

/** Without a relay and off the widget's origin the result comes back at once, as before issue 12: asserted here. */
function run(overrides: Partial<PostTokenOptions> & { window: Window }): PostTokenResult {
  const result = postTokenToWidget({ token: TOKEN, allowedOrigins: [SITE], ...overrides });
  if (result instanceof Promise) throw new Error('postTokenToWidget returned a Promise where it must answer at once');
  return result;
}

function shownMessage(): string | null {
  return document.querySelector(`[${MESSAGE_ELEMENT_ATTRIBUTE}]`)?.textContent ?? null;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('postTokenToWidget', () => {
  it('posts the token with the echoed state to the opener, with the allowed origin as target, then closes', () => {
    const opener = fakeOpener();
    const win = signInWindow({ opener });
    const result = run({ window: win });

    expect(result).toEqual({ ok: true, code: 'posted', stateEchoed: true });
    expect(opener.postMessage).toHaveBeenCalledTimes(1);
    expect(opener.postMessage).toHaveBeenCalledWith({ type: 'quincer-identify', token: TOKEN, state: STATE }, SITE);
    expect(win.close).toHaveBeenCalledTimes(1);
    expect(shownMessage()).toBeNull();
  });

  it('posts once to each allowed origin (deduplicated), never to "*"', () => {
    const opener = fakeOpener();
    const origins = ['https://www.customer.example', 'https://shop.customer.example', 'http://localhost:5173', 'https://www.customer.example'];
    run({ window: signInWindow({ opener }), allowedOrigins: origins });

    const targets = opener.postMessage.mock.calls.map((call) => call[1]);
    expect(targets).toEqual(['https://www.customer.example', 'https://shop.customer.example', 'http://localhost:5173']);
    expect(targets).not.toContain('*');
  });

  it('keeps posting to the next origin when one postMessage throws (happy-dom throws on a mismatch, browsers drop)', () => {
    const opener = fakeOpener();
    opener.postMessage.mockImplementationOnce(() => {
      throw new DOMException('origin mismatch', 'SecurityError');
    });
    const result = run({ window: signInWindow({ opener }), allowedOrigins: ['https://a.example', 'https://b.example'] });
    expect(result.code).toBe('posted');
    expect(opener.postMessage).toHaveBeenCalledTimes(2);
  });

  it('delivers only to the origin the opener is on (happy-dom window as the opener)', async () => {
    const received: MessageEvent[] = [];
    const onMessage = (event: MessageEvent): void => {
      received.push(event);
    };
    window.addEventListener('message', onMessage);
    try {
      const win = signInWindow({ opener: window });
      const result = run({ window: win, allowedOrigins: ['https://elsewhere.example', window.location.origin] });
      expect(result.code).toBe('posted');
      await vi.waitFor(() => expect(received).toHaveLength(1));
      expect(received[0]?.data).toEqual({ type: 'quincer-identify', token: TOKEN, state: STATE });
    } finally {
      window.removeEventListener('message', onMessage);
    }
  });

  it('sends no state when the URL has none (the widget accepts that)', () => {
    const opener = fakeOpener();
    const result = run({ window: signInWindow({ opener, href: 'https://signin.example/done?next=%2F' }) });
    expect(result).toEqual({ ok: true, code: 'posted', stateEchoed: false });
    expect(opener.postMessage).toHaveBeenCalledWith({ type: 'quincer-identify', token: TOKEN }, SITE);
    expect(opener.postMessage.mock.calls[0]?.[0]).not.toHaveProperty('state');
  });

  it('echoes an explicitly passed state (the parameter was lost on a login redirect)', () => {
    const opener = fakeOpener();
    run({ window: signInWindow({ opener, href: 'https://signin.example/callback?code=abc' }), state: 'kept-state' });
    expect(opener.postMessage).toHaveBeenCalledWith({ type: 'quincer-identify', token: TOKEN, state: 'kept-state' }, SITE);
  });

  it('sends no state when state: null is passed', () => {
    const opener = fakeOpener();
    run({ window: signInWindow({ opener }), state: null });
    expect(opener.postMessage.mock.calls[0]?.[0]).not.toHaveProperty('state');
  });

  it('leaves the window open with closeWindow: false', () => {
    const win = signInWindow();
    expect(run({ window: win, closeWindow: false }).code).toBe('posted');
    expect(win.close).not.toHaveBeenCalled();
  });

  it.each([
    ['no opener (opened directly)', null],
    ['a closed opener', { closed: true, postMessage: vi.fn() }],
  ])('returns no-opener and tells the visitor what to do: %s', (_label, opener) => {
    const win = signInWindow({ opener });
    const result = run({ window: win });

    expect(result).toMatchObject({ ok: false, code: 'no-opener', message: POST_TOKEN_MESSAGES['no-opener'] });
    expect(win.close).not.toHaveBeenCalled();
    expect(shownMessage()).toBe(POST_TOKEN_MESSAGES['no-opener']);
    expect(document.querySelector(`[${MESSAGE_ELEMENT_ATTRIBUTE}]`)?.getAttribute('role')).toBe('alert');
    if (opener) expect(opener.postMessage).not.toHaveBeenCalled();
  });

  it('returns no-opener when the opener is the window itself', () => {
    const win = signInWindow();
    (win as unknown as { opener: unknown }).opener = win;
    expect(run({ window: win }).code).toBe('no-opener');
  });

  it('reuses one message element and never renders the rejected token', () => {
    run({ window: signInWindow({ opener: null }) });
    run({ window: signInWindow({ opener: null }), token: '<img src=x onerror=alert(1)>' });
    const elements = document.querySelectorAll(`[${MESSAGE_ELEMENT_ATTRIBUTE}]`);
    expect(elements).toHaveLength(1);
    expect(elements[0]?.children).toHaveLength(0);
    expect(document.querySelector('img')).toBeNull();
  });

  it('writes the message into a given element, or nowhere with messageElement: null', () => {
    const target = document.createElement('div');
    document.body.append(target);
    run({ window: signInWindow({ opener: null }), messageElement: target });
    expect(target.textContent).toBe(POST_TOKEN_MESSAGES['no-opener']);
    expect(shownMessage()).toBeNull();

    target.textContent = '';
    const result = run({ window: signInWindow({ opener: null }), messageElement: null });
    expect(result.code).toBe('no-opener');
    expect(target.textContent).toBe('');
    expect(shownMessage()).toBeNull();
  });

  it.each([
    ['a two-segment string', 'abc.def'],
    ['a Bearer-prefixed token', `Bearer ${TOKEN}`],
    ['a quoted token', `"${TOKEN}"`],
    ['an empty string', ''],
    ['undefined', undefined],
    ['a number', 42],
    ['an oversized token', `${'a'.repeat(17_000)}.b.c`],
  ])('returns invalid-token for %s, posts nothing and never echoes the value', (_label, token) => {
    const opener = fakeOpener();
    const win = signInWindow({ opener });
    const result = run({ window: win, token: token as string });

    expect(result).toMatchObject({ ok: false, code: 'invalid-token', message: POST_TOKEN_MESSAGES['invalid-token'] });
    expect(opener.postMessage).not.toHaveBeenCalled();
    expect(win.close).not.toHaveBeenCalled();
    if (typeof token === 'string' && token.length > 0) {
      expect(JSON.stringify(result)).not.toContain(token);
      expect(shownMessage()).not.toContain(token);
    }
  });

  it.each([
    ['"*"', ['*']],
    ['an empty list', []],
    ['not an array', 'https://www.customer.example'],
    ['a trailing slash', ['https://www.customer.example/']],
    ['a path', ['https://www.customer.example/chat']],
    ['upper case', ['https://WWW.customer.example']],
    ['a default port written out', ['https://www.customer.example:443']],
    ['no scheme', ['www.customer.example']],
    ['a non-http scheme', ['chrome-extension://abcdef']],
    ['"null"', ['null']],
    ['a non-string entry', [SITE, 42]],
  ])('returns invalid-origin for %s and posts nothing', (_label, allowedOrigins) => {
    const opener = fakeOpener();
    const win = signInWindow({ opener });
    const result = run({ window: win, allowedOrigins: allowedOrigins as string[] });

    expect(result).toMatchObject({ ok: false, code: 'invalid-origin', message: POST_TOKEN_MESSAGES['invalid-origin'] });
    expect(result.ok ? '' : result.detail).toMatch(/allowedOrigins/);
    expect(opener.postMessage).not.toHaveBeenCalled();
    expect(win.close).not.toHaveBeenCalled();
    expect(shownMessage()).toBe(POST_TOKEN_MESSAGES['invalid-origin']);
  });

  it('throws TypeError when called without options', () => {
    expect(() => postTokenToWidget(undefined as unknown as PostTokenOptions)).toThrow(TypeError);
  });
});

describe('readWidgetState', () => {
  it('reads quincer_state from the URL, or null', () => {
    expect(readWidgetState(signInWindow())).toBe(STATE);
    expect(readWidgetState(signInWindow({ href: 'https://signin.example/' }))).toBeNull();
  });
});

describe('packages/chat-widget/dist/quincer-signin.js global', () => {
  it('defines window.QuincerSignIn once and keeps the first copy', async () => {
    vi.resetModules();
    await import('../../../src/signin/standalone.js');
    const first = window.QuincerSignIn;
    expect(first?.postTokenToWidget).toBeTypeOf('function');
    expect(first?.readWidgetState).toBeTypeOf('function');
    vi.resetModules();
    await import('../../../src/signin/standalone.js');
    expect(window.QuincerSignIn).toBe(first);
  });
});
