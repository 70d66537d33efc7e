import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/protocol/chat.js';
import { ADMIN_PATH, OTHER_ORIGIN, SITE_ORIGIN, leakedLines, newMessageId, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const preflight = (path: string, origin: string, method = 'POST') =>
  fetch(new URL(path, h.url), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS on the widget endpoints', () => {
  const widgetPaths: [string, string][] = [
    ['/v1/chat', 'POST'],
    ['/v1/widget-config', 'GET'],
    ['/v1/conversations/00000000-0000-4000-8000-000000000000/messages', 'GET'],
  ];

  it.each(widgetPaths)('a preflight for %s from an allowed origin allows Authorization', async (path, method) => {
    const response = await preflight(path, SITE_ORIGIN, method);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type']),
    );
    expect(response.headers.get('access-control-allow-methods')).toContain(method);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it.each(widgetPaths)('a preflight for %s from another origin gets no Access-Control-Allow-Origin', async (path, method) => {
    const response = await preflight(path, OTHER_ORIGIN, method);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('actual responses carry the allowed origin and Vary: Origin, never "*"', async () => {
    const allowed = await h.chat({ messageId: newMessageId(), text: 'hours?' }, { headers: { origin: SITE_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await h.chat({ messageId: newMessageId(), text: 'hours?' }, { headers: { origin: OTHER_ORIGIN } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const config = await fetch(new URL('/v1/widget-config', h.url), { headers: { origin: SITE_ORIGIN } });
    expect(config.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
  });

  it('a config change takes effect at once', async () => {
    const put = await h.admin('PUT', ADMIN_PATH, { mode: 'jwks', jwksUrl: h.jwks.url, allowedOrigins: [OTHER_ORIGIN] });
    expect(put.status).toBe(200);
    expect((await preflight('/v1/chat', OTHER_ORIGIN)).headers.get('access-control-allow-origin')).toBe(OTHER_ORIGIN);
    expect((await preflight('/v1/chat', SITE_ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
    await h.admin('PUT', ADMIN_PATH, {
      mode: 'jwks',
      jwksUrl: h.jwks.url,
      signInUrl: 'https://login.shop.example/sign-in',
      allowedOrigins: [SITE_ORIGIN],
    });
  });

  it('admin endpoints answer no CORS, even to an allowed site origin', async () => {
    for (const path of [ADMIN_PATH, `${ADMIN_PATH}/test`, `${ADMIN_PATH}/hmac-secret`]) {
      const response = await preflight(path, SITE_ORIGIN);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
    }
  });
});

describe('GET /v1/widget-config', () => {
  it('answers only the Sign-in URL', async () => {
    const response = await fetch(new URL('/v1/widget-config', h.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ signInUrl: 'https://login.shop.example/sign-in' });
  });
});

describe('bad input on /v1/chat gets a 4xx ApiErrorBody and changes nothing', () => {
  let conversationId: string;
  beforeAll(async () => {
    const started = await h.chat({ messageId: newMessageId(), text: 'What are your business hours?' });
    conversationId = started.body.conversationId;
  });

  const cases: [string, string | object, number, string][] = [
    ['malformed JSON', '{"messageId":', 400, 'invalid-json'],
    ['a JSON array', '[]', 400, 'invalid-request'],
    ['a JSON string', '"hello"', 400, 'invalid-request'],
    ['text as a number', { messageId: 'm-1', text: 42 }, 400, 'invalid-request'],
    ['empty text', { messageId: 'm-2', text: '   ' }, 400, 'invalid-request'],
    ['no messageId', { text: 'hello' }, 400, 'invalid-request'],
    ['a messageId with spaces', { messageId: 'a b', text: 'hello' }, 400, 'invalid-request'],
    ['conversationId as a number', { conversationId: 7, messageId: 'm-3', text: 'hello' }, 400, 'invalid-request'],
    ['an unknown field', { messageId: 'm-4', text: 'hello', token: 'eyJ.eyJ.sig' }, 400, 'invalid-request'],
    ['text over the limit', { messageId: 'm-5', text: 'a'.repeat(LIMITS.maxMessageChars + 1) }, 400, 'invalid-request'],
  ];
  it.each(cases)('%s → %i %s', async (_label, body, status, code) => {
    const withConversation = typeof body === 'object' && !Array.isArray(body) ? { conversationId, ...body } : body;
    const result = await h.chat(withConversation);
    expect(result.status).toBe(status);
    expect(result.body.error?.code).toBe(code);
    expect(result.body.error?.message.length).toBeGreaterThan(10);
    const history = (await (await h.history(conversationId)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
    // The refused request stored no message under its id: the id is still free.
    const messageId = typeof body === 'object' ? (body as { messageId?: unknown }).messageId : undefined;
    if (typeof messageId === 'string' && /^[\w-]+$/.test(messageId)) {
      const fresh = await h.chat({ messageId, text: `a different question ${messageId}` });
      expect(fresh.status).toBe(200);
    }
  });

  it('unknown fields are named in error.fields', async () => {
    const result = await h.chat({ messageId: newMessageId(), text: 'hi', extra: true, __proto__: 1 });
    expect(Object.keys(result.body.error?.fields ?? {})).toContain('extra');
  });

  it('a body over LIMITS.maxBodyBytes is a 413', async () => {
    const big = JSON.stringify({ messageId: newMessageId(), text: 'x'.repeat(LIMITS.maxBodyBytes) });
    const result = await h.chat(big);
    expect(result.status).toBe(413);
    expect(result.body.error?.code).toBe('body-too-large');
  });

  it('another content type is a 415', async () => {
    const result = await h.chat({ messageId: newMessageId(), text: 'hi' }, { headers: { 'content-type': 'text/plain' } });
    expect(result.status).toBe(415);
    expect(result.body.error?.code).toBe('unsupported-media-type');
  });

  it('an unknown path is a JSON 404', async () => {
    const response = await fetch(new URL('/v1/nothing', h.url));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });

  it('an oversized admin PUT is a 413 and the config is unchanged', async () => {
    const before = await (await h.admin('GET', ADMIN_PATH)).text();
    const response = await h.admin('PUT', ADMIN_PATH, { mode: 'off', issuer: 'i'.repeat(LIMITS.maxBodyBytes) });
    expect(response.status).toBe(413);
    expect(await (await h.admin('GET', ADMIN_PATH)).text()).toBe(before);
  });
});

describe('GET /admin', () => {
  it('serves the config page shell, which carries no data or secret', async () => {
    const response = await fetch(new URL('/admin', h.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const html = await response.text();
    expect(html).not.toContain(h.adminToken);
    expect(html).not.toContain(h.jwks.url);
  });
});

describe('logs', () => {
  it('logs contain no token or secret', () => {
    expect(leakedLines(h)).toEqual([]);
  });
});
