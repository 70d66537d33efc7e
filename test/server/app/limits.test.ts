/**
 * The abuse limits on a real server (docs/backend-limits.md): per-client rate
 * limits (clients told apart by their loopback source address), the HTTP
 * server's timeouts and connection cap against raw sockets that trickle
 * bytes, the retention of anonymous conversations, the message cap, and the
 * log levels of routine refusals. Timeouts are configured small, so nothing
 * here sleeps long; no assertion is about timing.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMITED_CODE } from '../../../src/protocol/chat.js';
import type { LimitsOptions } from '../../../src/backend/limits/config.js';
import { ADMIN_PATH, ROOMY_LIMITS, SITE_ORIGIN, leakedLines, newMessageId, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const start = async (limits: LimitsOptions): Promise<Harness> => {
  h = await startHarness({
    limits: { ...ROOMY_LIMITS, rateLimitDelayMs: 0, ...limits, rateLimits: { ...ROOMY_LIMITS.rateLimits, ...limits.rateLimits } },
  });
  return h;
};

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string }; reply?: { type: string }; conversationId?: string };
}

/** One request from a chosen loopback source address (each address is one client to the rate limiter). */
function send(
  url: string,
  options: { method?: string; path: string; from: string; body?: unknown; headers?: Record<string, string> },
): Promise<RawResponse> {
  const target = new URL(options.path, url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: options.method ?? 'POST',
        localAddress: options.from,
        agent: false,
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as RawResponse['body']) : {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const chatFrom = (from: string, extra: { headers?: Record<string, string> } = {}) =>
  send(h!.url, { path: '/v1/chat', from, body: { messageId: newMessageId(), text: 'What are your business hours?' }, ...extra });

describe('rate limits', () => {
  it('a flood of POST /v1/chat gets 429 rate-limited with Retry-After, while another client is still answered', async () => {
    await start({ rateLimits: { chat: { limit: 3, windowMs: 60_000 } } });
    const flood = [];
    for (let i = 0; i < 8; i++) flood.push(await chatFrom('127.0.0.2', { headers: { origin: SITE_ORIGIN } }));
    expect(flood.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const limited = flood.slice(3);
    for (const response of limited) {
      expect(response.status).toBe(429);
      expect(response.body.error?.code).toBe(RATE_LIMITED_CODE);
      expect(response.body.error?.code).toBe('rate-limited');
      const retryAfter = Number(response.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(response.body.error?.message).toContain(`try again in ${retryAfter} second`);
      // The widget, on another origin, can read the 429 and its Retry-After.
      expect(response.headers['access-control-allow-origin']).toBe(SITE_ORIGIN);
      expect(String(response.headers['access-control-expose-headers']).toLowerCase()).toContain('retry-after');
    }
    const honest = await chatFrom('127.0.0.3');
    expect(honest.status).toBe(200);
    expect(honest.body.reply?.type).toBe('answer');
    // The flood's 429 lines are debug, not info.
    const lines = h!.logs.map((line) => JSON.parse(line) as { level: number; msg: string; status?: number });
    const tooMany = lines.filter((line) => line.msg === 'request' && line.status === 429);
    expect(tooMany).toHaveLength(5);
    expect(tooMany.every((line) => line.level === 20)).toBe(true);
  });

  it('holds a limited request back for rateLimitDelayMs, while other clients are answered meanwhile', async () => {
    await start({ rateLimitDelayMs: 60_000, rateLimits: { chat: { limit: 1, windowMs: 60_000 } } });
    expect((await chatFrom('127.0.0.2')).status).toBe(200);
    let limitedAnswered = false;
    const limited = chatFrom('127.0.0.2').then(
      () => (limitedAnswered = true),
      () => undefined,
    );
    // Another client's whole turn, and a second one, complete while the flooder's 429 is still held back.
    expect((await chatFrom('127.0.0.3')).status).toBe(200);
    expect((await chatFrom('127.0.0.4')).status).toBe(200);
    expect(limitedAnswered).toBe(false);
    // close() (afterEach) drops the held connection.
    await h!.close();
    h = undefined;
    await limited;
    expect(limitedAnswered).toBe(false);
  });

  it('a preflight does not count against the limit', async () => {
    await start({ rateLimits: { chat: { limit: 1, windowMs: 60_000 } } });
    for (let i = 0; i < 3; i++) {
      const preflight = await send(h!.url, {
        method: 'OPTIONS',
        path: '/v1/chat',
        from: '127.0.0.2',
        headers: { origin: SITE_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
    }
    expect((await chatFrom('127.0.0.2')).status).toBe(200);
    expect((await chatFrom('127.0.0.2')).status).toBe(429);
  });

  it('the history endpoint and the admin Test endpoint have limits of their own', async () => {
    await start({ rateLimits: { history: { limit: 2, windowMs: 60_000 }, adminTest: { limit: 2, windowMs: 60_000 } } });
    const first = await chatFrom('127.0.0.2');
    const historyPath = `/v1/conversations/${first.body.conversationId}/messages`;
    const history = [];
    for (let i = 0; i < 3; i++) history.push(await send(h!.url, { method: 'GET', path: historyPath, from: '127.0.0.2' }));
    expect(history.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(history[2]!.body.error?.code).toBe('rate-limited');
    expect((await send(h!.url, { method: 'GET', path: historyPath, from: '127.0.0.3' })).status).toBe(200);
    // Chat has its own budget: the history flood did not use it up.
    expect((await chatFrom('127.0.0.2')).status).toBe(200);

    const test = [];
    const auth = { authorization: `Bearer ${h!.adminToken}` };
    for (let i = 0; i < 3; i++) {
      test.push(await send(h!.url, { path: `${ADMIN_PATH}/test`, from: '127.0.0.4', headers: auth, body: { token: 'a.b.c' } }));
    }
    expect(test.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(test[2]!.body.error?.code).toBe('rate-limited');
    expect(test[2]!.headers['retry-after']).toMatch(/^\d+$/);
    // The other admin endpoints are not limited.
    expect((await send(h!.url, { method: 'GET', path: ADMIN_PATH, from: '127.0.0.4', headers: auth })).status).toBe(200);
  });

  it('X-Forwarded-For is ignored unless proxies are trusted, and then only the address the proxy saw counts', async () => {
    await start({ rateLimits: { chat: { limit: 1, windowMs: 60_000 } } });
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(200);
    // A client cannot step around the limit by sending the header.
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(429);
    await h!.close();

    await start({ trustedProxyHops: 1, rateLimits: { chat: { limit: 1, windowMs: 60_000 } } });
    // Behind one proxy (all from 127.0.0.2 here), the right-most entry is the client; what the client wrote to its left is not.
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' } })).status).toBe(200);
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '198.51.100.8, 203.0.113.1' } })).status).toBe(429);
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(200);
    // IPv6 clients are counted per /64.
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '2001:db8:1:2::1' } })).status).toBe(200);
    expect((await chatFrom('127.0.0.2', { headers: { 'x-forwarded-for': '2001:db8:1:2:ffff::9' } })).status).toBe(429);
  });
});

/** A raw connection; `closed` resolves when the server ends it, with everything it sent. */
function rawSocket(url: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Writes `bytes` one at a time, every `everyMs`, until the socket closes; returns how many were written. */
async function trickle(socket: Socket, bytes: string, everyMs: number): Promise<number> {
  let written = 0;
  for (const byte of bytes) {
    if (socket.destroyed || socket.writableEnded || socket.closed) break;
    socket.write(byte);
    written++;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return written;
}

describe('HTTP server timeouts and connection cap', () => {
  const SLOW = { requestTimeoutMs: 400, headersTimeoutMs: 200, keepAliveTimeoutMs: 200 };

  it('drops a client that trickles its body', async () => {
    await start({ http: SLOW });
    const { socket, closed } = await rawSocket(h!.url);
    const body = JSON.stringify({ messageId: newMessageId(), text: 'What are your business hours? '.repeat(4) });
    socket.write(`POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // At 1 byte per 40 ms the body would take over 5 s; the server cuts it off long before.
    const written = await trickle(socket, body, 40);
    const received = await closed;
    expect(written).toBeLessThan(body.length);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('drops a client that trickles its headers', async () => {
    await start({ http: SLOW });
    const { socket, closed } = await rawSocket(h!.url);
    const head = `GET /v1/widget-config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`;
    const written = await trickle(socket, head, 20);
    const received = await closed;
    expect(written).toBeLessThan(head.length);
    expect(received).not.toContain('HTTP/1.1 200');
  });

  it('announces its keep-alive timeout and closes an idle keep-alive connection', async () => {
    await start({ http: { ...SLOW, keepAliveTimeoutMs: 1_000 } });
    const { socket, closed } = await rawSocket(h!.url);
    socket.write('GET /v1/widget-config HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const received = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
  });

  it('refuses connections beyond the cap, and takes new ones when a slot frees', async () => {
    await start({ http: { maxConnections: 2 } });
    const first = await rawSocket(h!.url);
    const second = await rawSocket(h!.url);
    // Both held open and served.
    first.socket.write('GET /v1/widget-config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise<void>((resolve) => first.socket.once('data', () => resolve()));
    const third = await rawSocket(h!.url);
    third.socket.write('GET /v1/widget-config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await third.closed).toBe('');
    first.socket.destroy();
    await first.closed;
    // The server notices the closed socket on its side; a new client gets in once it has.
    await expect
      .poll(async () => (await fetch(new URL('/v1/widget-config', h!.url), { headers: { connection: 'close' } }).catch(() => null))?.status)
      .toBe(200);
    second.socket.destroy();
  });
});

describe('retention', () => {
  it('deletes anonymous conversations after the idle time and keeps signed-in ones', async () => {
    await start({ retention: { anonymousIdleMs: 150, purgeIntervalMs: 50 } });
    const anonymous = await h!.chat({ messageId: newMessageId(), text: 'What are your business hours?' });
    const token = await h!.token({ sub: 'alice' });
    const owned = await h!.chat({ messageId: newMessageId(), text: 'What are your business hours?' }, { token });
    expect((await h!.history(anonymous.body.conversationId)).status).toBe(200);
    await expect.poll(async () => (await h!.history(anonymous.body.conversationId)).status, { timeout: 5_000 }).toBe(404);
    const kept = await h!.history(owned.body.conversationId, token);
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { messages: unknown[] }).messages).toHaveLength(2);
    // Its message ids are free again: the purge removed the messages too.
    const purged = h!.logs.map((line) => JSON.parse(line) as { event?: string; deleted?: number }).filter((l) => l.event === 'conversations-purged');
    expect(purged.reduce((sum, line) => sum + (line.deleted ?? 0), 0)).toBe(1);
  });

  it('caps the messages of one conversation; retries of stored messages are still answered', async () => {
    await start({ retention: { maxMessagesPerConversation: 4 } });
    const first = await h!.chat({ messageId: newMessageId(), text: 'What are your business hours?' });
    const conversationId = first.body.conversationId;
    const secondId = newMessageId();
    const second = await h!.chat({ conversationId, messageId: secondId, text: 'Track package 1Z999' });
    expect(second.status).toBe(200);
    const third = await h!.chat({ conversationId, messageId: newMessageId(), text: 'What are your business hours?' });
    expect(third.status).toBe(409);
    expect(third.body.error?.code).toBe('conversation-full');
    expect(third.body.error?.message).toContain('start a new conversation');
    const retry = await h!.chat({ conversationId, messageId: secondId, text: 'Track package 1Z999' });
    expect(retry.status).toBe(200);
    expect(retry.body.reply.id).toBe(second.body.reply.id);
    const messages = ((await (await h!.history(conversationId)).json()) as { messages: unknown[] }).messages;
    expect(messages).toHaveLength(4);
  });
});

describe('log levels', () => {
  type Line = { level: number; event?: string; reason?: string; tool?: string; msg: string };
  const lines = (harness: Harness): Line[] => harness.logs.map((line) => JSON.parse(line) as Line);

  it('an anonymous public question logs no warning; its missing token is debug', async () => {
    await start({});
    const answer = await h!.chat({ messageId: newMessageId(), text: 'What are your business hours?' });
    expect(answer.body.reply.type).toBe('answer');
    expect(lines(h!).filter((line) => line.level >= 40)).toEqual([]);
    const refused = lines(h!).filter((line) => line.event === 'visitor-token-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 20, reason: 'missing-token' });
  });

  it('a secure tool refused logs its tool and reason at info; a forged token still warns; no line carries a token or claim', async () => {
    await start({});
    const refused = await h!.chat({ messageId: newMessageId(), text: "What's my balance?" });
    expect(refused.body.reply.type).toBe('refusal');
    const info = lines(h!).filter((line) => line.event === 'secure-tool-refused');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 30, reason: 'missing-token', tool: 'account-balance' });

    const token = await h!.token({ sub: 'carol', email: 'carol-secret-claim@example.com' });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    h!.sensitive.add(forged);
    await h!.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token: forged });
    const warned = lines(h!).filter((line) => line.event === 'visitor-token-refused' && line.level === 40);
    expect(warned.map((line) => line.reason)).toEqual(['bad-signature']);
    await h!.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token });
    expect(leakedLines(h!)).toEqual([]);
    expect(h!.logs.some((line) => line.includes('carol-secret-claim'))).toBe(false);
  });
});
