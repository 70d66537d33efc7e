/**
 * The widget's browser tests run against the reference backend for real:
 * startServer on 127.0.0.1 (free port) with a SQLite file in a temp folder, a
 * real JWKS server whose tokens it verifies, and CORS allowing only the page
 * server's origin. The pages and dist/chat-widget.js come from a separate
 * static server on another port, so the Authorization preflight is real.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startServer, type RunningServer } from '../../../src/backend/server.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';

/** What the backend's onRequest hook saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  origin: string | null;
  /** A preflight's Access-Control-Request-Headers. */
  requestHeaders: string | null;
}

export interface Backend {
  url: string;
  origin: string;
  jwks: JwksServer;
  /** Every request in arrival order, preflights included. */
  requests: SeenRequest[];
  /** POST /v1/chat requests in arrival order. */
  chatRequests(): SeenRequest[];
  /** Every line the backend logged. */
  logs: string[];
  /** A token signed by the JWKS server's key, which the backend verifies. */
  token(sub: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBackend(options: { allowedOrigins: string[] }): Promise<Backend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quincer-widget-e2e-'));
  const jwks = await startJwksServer();
  const requests: SeenRequest[] = [];
  const logs: string[] = [];
  let server: RunningServer;
  try {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      adminToken: randomBytes(32).toString('base64url'),
      masterKey: randomBytes(32).toString('base64url'),
      seedConfig: { mode: 'jwks', jwksUrl: jwks.url, signInUrl: null, allowedOrigins: options.allowedOrigins },
      logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
      onRequest: ({ method, path, headers }) =>
        void requests.push({
          method,
          path,
          authorization: headers.get('authorization'),
          origin: headers.get('origin'),
          requestHeaders: headers.get('access-control-request-headers'),
        }),
    });
  } catch (error) {
    await jwks.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    origin: new URL(server.url).origin,
    jwks,
    requests,
    chatRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat'),
    logs,
    token: (sub) => jwks.sign({ sub }),
    async close() {
      await server.close();
      await jwks.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PageFile {
  body: string | Buffer;
  type: string;
  headers?: Record<string, string>;
}

export interface PageServer {
  url: string;
  origin: string;
  /** Served by path; may be filled in after start (pages that need the backend's URL). */
  files: Map<string, PageFile>;
  close(): Promise<void>;
}

/** Serves static pages and scripts on 127.0.0.1 (free port); 404 for anything else. */
export async function startPageServer(): Promise<PageServer> {
  const files = new Map<string, PageFile>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files.get(path);
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found.');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store', ...file.headers });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    origin,
    files,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const js = (body: string): PageFile => ({ body, type: 'text/javascript' });
export const html = (body: string, headers?: Record<string, string>): PageFile => ({
  body,
  type: 'text/html',
  ...(headers ? { headers } : {}),
});
