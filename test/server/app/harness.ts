/**
 * The backend under test, for real: startServer on 127.0.0.1 (free port), a
 * SQLite file in a fresh temp folder, a real JWKS server, and every log line
 * captured so tests can prove no token or secret was written.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { pino } from 'pino';
import type { ChatResponse, ChatStreamEventName } from '../../../src/protocol/chat.js';
import type { AdminVisitorSignInConfig } from '../../../src/backend/admin-config.js';
import type { LimitsOptions } from '../../../src/backend/limits/config.js';
import { startServer, type RunningServer } from '../../../src/backend/server.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';

export const SITE_ORIGIN = 'https://shop.example';
export const OTHER_ORIGIN = 'https://evil.example';

export interface Harness {
  readonly server: RunningServer;
  readonly url: string;
  readonly jwks: JwksServer;
  readonly dataDir: string;
  readonly masterKey: string;
  readonly adminToken: string;
  /** Every log line written so far, raw. */
  readonly logs: string[];
  /** Tokens and secrets the test handled; none may ever appear in a log line. */
  readonly sensitive: Set<string>;
  /** Signs a token with the JWKS server's RS256 key and records it as sensitive. */
  token(claims: Record<string, unknown>, options?: { expiresIn?: number | null }): Promise<string>;
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  chat(body: unknown, options?: { token?: string | null; sse?: boolean; headers?: Record<string, string> }): Promise<ChatResult>;
  history(conversationId: string, token?: string | null): Promise<Response>;
  /** Stops the server and starts it again on the same data folder and master key. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type SseEvent = { event: ChatStreamEventName; data: unknown };

export interface ChatResult {
  status: number;
  headers: Headers;
  /** The JSON body (JSON mode or an error), or the `end` event's data (SSE mode). */
  body: ChatResponse & { error?: { code: string; message: string; fields?: Record<string, string> } };
  /** SSE mode: every event in order. */
  events: SseEvent[];
}

export const ADMIN_PATH = '/v1/admin/visitor-sign-in';

/**
 * Limits for tests that are not about limits: rate limits too high to reach
 * (the limiter still runs on every request). Tests of the limits pass their own.
 */
export const ROOMY_LIMITS: LimitsOptions = {
  rateLimits: {
    chat: { limit: 1_000_000 },
    history: { limit: 1_000_000 },
    adminTest: { limit: 1_000_000 },
    signInRelay: { limit: 1_000_000 },
  },
};

export async function startHarness(options: { seed?: Partial<AdminVisitorSignInConfig>; limits?: LimitsOptions } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quincer-app-'));
  const jwks = await startJwksServer();
  const masterKey = randomBytes(32).toString('base64url');
  const adminToken = randomBytes(32).toString('base64url');
  const logs: string[] = [];
  const sensitive = new Set<string>([masterKey, adminToken]);
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const seed: Partial<AdminVisitorSignInConfig> = options.seed ?? {
    mode: 'jwks',
    jwksUrl: jwks.url,
    signInUrl: 'https://login.shop.example/sign-in',
    allowedOrigins: [SITE_ORIGIN],
  };
  const limits = options.limits ?? ROOMY_LIMITS;
  const start = () => startServer({ host: '127.0.0.1', port: 0, dataDir, adminToken, masterKey, seedConfig: seed, logger, limits });
  let server = await start();

  const harness: Harness = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    jwks,
    dataDir,
    masterKey,
    adminToken,
    logs,
    sensitive,
    async token(claims, signOptions = {}) {
      const token = await jwks.sign(claims, signOptions);
      sensitive.add(token);
      return token;
    },
    admin(method, path, body, headers = {}) {
      return fetch(new URL(path, server.url), {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async chat(body, chatOptions = {}) {
      const response = await fetch(new URL('/v1/chat', server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(chatOptions.token ? { authorization: `Bearer ${chatOptions.token}` } : {}),
          ...(chatOptions.sse ? { accept: 'text/event-stream' } : {}),
          ...chatOptions.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const events: SseEvent[] = [];
      if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        const parser = createParser({
          onEvent: (message) => events.push({ event: message.event as ChatStreamEventName, data: JSON.parse(message.data) }),
        });
        parser.feed(await response.text());
        const end = events.find((e) => e.event === 'end');
        return { status: response.status, headers: response.headers, body: end?.data as ChatResult['body'], events };
      }
      return { status: response.status, headers: response.headers, body: (await response.json()) as ChatResult['body'], events };
    },
    history(conversationId, token) {
      return fetch(new URL(`/v1/conversations/${encodeURIComponent(conversationId)}/messages`, server.url), {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    },
    async restart() {
      await server.close();
      server = await start();
    },
    async close() {
      await server.close();
      await jwks.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const newMessageId = (): string => randomUUID();

/** Every log line that contains one of the sensitive values (should be none). */
export function leakedLines(harness: Harness): string[] {
  const values = [...harness.sensitive].filter((value) => value.length >= 16);
  const pieces = values.flatMap((value) => (value.split('.').length === 3 ? [value, ...value.split('.').slice(2)] : [value]));
  return harness.logs.filter((line) => pieces.some((piece) => line.includes(piece)));
}
