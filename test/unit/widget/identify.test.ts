import { afterEach, describe, expect, it } from 'vitest';
import { createChatWidget, WidgetError } from '../../../src/widget/index.js';
import { describeTokenProblem } from '../../../src/widget/token.js';
import { fakeJwt } from './helpers.js';

const API = 'http://127.0.0.1:9';
const good = fakeJwt();
const [h, p, s] = good.split('.') as [string, string, string];

const widgets: Array<{ destroy(): void }> = [];
function make() {
  const widget = createChatWidget({ apiUrl: API, signInUrl: 'https://example.com/sign-in' });
  widgets.push(widget);
  return widget;
}
afterEach(() => {
  for (const widget of widgets.splice(0)) widget.destroy();
});

describe('identify() validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a number', 42, /must be a string, not number/],
    ['null', null, /must be a string, not null/],
    ['an object', { token: good }, /must be a string, not object/],
    ['two segments', `${h}.${p}`, /has 2 dot-separated segments/],
    ['four segments', `${h}.${p}.${s}.${s}`, /has 4 dot-separated segments/],
    ['whitespace inside', `${h}.${p} .${s}`, /contains whitespace/],
    ['a Bearer prefix', `Bearer ${good}`, /contains whitespace/],
    ['a trailing newline', `${good}\n`, /contains whitespace/],
    ['non-base64url characters', `${h}.${p}+/.${s}`, /base64url/],
    ['padding', `${h}.${p}==.${s}`, /base64url/],
    ['an empty segment', `${h}..${s}`, /base64url/],
    ['an oversized token', `${h}.${'a'.repeat(17_000)}.${s}`, /longer than 16384/],
  ];

  for (const [what, token, message] of cases) {
    it(`rejects ${what} with a message saying what is wrong, and changes nothing`, () => {
      const widget = make();
      widget.identify({ token: good });
      expect(() => widget.identify({ token: token as string })).toThrow(message);
      try {
        widget.identify({ token: token as string });
      } catch (error) {
        expect(error).toBeInstanceOf(WidgetError);
        expect((error as WidgetError).code).toBe('invalid-token');
        // The message describes the shape, never the value.
        if (typeof token === 'string' && token.length > 10) expect((error as Error).message).not.toContain(token);
      }
      expect(widget.isIdentified).toBe(true);
    });
  }

  it('rejects a non-function refresh and keeps the previous state', () => {
    const widget = make();
    expect(() => widget.identify({ token: good, refresh: 'nope' as never })).toThrow(/refresh must be a function/);
    expect(widget.isIdentified).toBe(false);
  });

  it('rejects a non-object argument', () => {
    const widget = make();
    expect(() => widget.identify(good as never)).toThrow(/identify\(\) takes an object/);
  });

  it('accepts a compact JWS', () => {
    expect(describeTokenProblem(good)).toBeNull();
    const widget = make();
    widget.identify({ token: good });
    expect(widget.isIdentified).toBe(true);
    widget.logout();
    expect(widget.isIdentified).toBe(false);
  });
});

describe('options', () => {
  it('requires apiUrl and names it', () => {
    expect(() => createChatWidget({} as never)).toThrow(TypeError);
    expect(() => createChatWidget({} as never)).toThrow(/"apiUrl"/);
    expect(() => createChatWidget({ apiUrl: 'ftp://x' })).toThrow(/"apiUrl" must be an absolute http\(s\) URL/);
  });

  it('names each wrong option', () => {
    expect(() => createChatWidget({ apiUrl: API, persist: 'local' as never })).toThrow(/"persist" must be one of 'memory', 'session'/);
    expect(() => createChatWidget({ apiUrl: API, position: 'top' as never })).toThrow(/"position"/);
    expect(() => createChatWidget({ apiUrl: API, signInUrl: 'javascript:alert(1)' })).toThrow(/"signInUrl"/);
    expect(() => createChatWidget({ apiUrl: API, signInTimeoutMs: -1 })).toThrow(/"signInTimeoutMs"/);
    expect(() => createChatWidget({ apiUrl: API, strings: { nope: 'x' } as never })).toThrow(/"strings.nope"/);
    expect(() => createChatWidget({ apiUrl: API, strings: { reasons: { expired: 1 } } as never })).toThrow(/"strings.reasons.expired" must be a string/);
    expect(() => createChatWidget({ apiUrl: API, theme: { zIndex: 'top' } as never })).toThrow(/"theme.zIndex"/);
    expect(() => createChatWidget({ apiUrl: API, container: '#missing' })).toThrow(/"container"/);
    expect(() => createChatWidget({ apiUrl: API, colour: 'red' } as never)).toThrow(/"colour" is not a ChatWidget option/);
    // Nothing was mounted by the failed calls.
    expect(document.querySelector('[data-quincer-chat-widget]')).toBeNull();
  });
});
