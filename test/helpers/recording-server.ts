/**
 * A small real HTTP server on 127.0.0.1 that speaks the widget's wire
 * protocol (src/protocol/chat.ts): JSON and SSE chat replies, refusals on
 * demand, history, widget config, CORS with an Authorization preflight — and
 * records every request's method, path, headers and body, so tests assert on
 * what really crossed the wire. It can also serve static pages (e2e).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ChatReply, ChatRequest, ChatResponse, HistoryMessage, RefusalReason } from '../../src/protocol/index.js';

export interface RecordedRequest {
  method: string;
  /** Path with the query string, exactly as requested. */
  url: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What the server does with one chat request. */
export type ChatBehaviour =
  | { type: 'answer'; text: string; tool?: string }
  | { type: 'refusal'; reason: RefusalReason; tool?: string; message?: string }
  /** Destroys the connection without an answer (a network failure). */
  | { type: 'drop' }
  /** `headers` go on the error response (e.g. Retry-After on a 429, with Access-Control-Expose-Headers). */
  | { type: 'error'; status: number; code: string; message?: string; headers?: Record<string, string> };

export interface ChatContext {
  request: ChatRequest;
  /** The Authorization header, or undefined. */
  authorization: string | undefined;
  /** How many times this messageId has been received, this one included. */
  attempt: number;
}

export interface StaticFile {
  body: string | Buffer;
  type: string;
  headers?: Record<string, string>;
}

export interface RecordingServerOptions {
  /** Decides each chat reply; default: an answer echoing the text. */
  chat?: (context: ChatContext) => ChatBehaviour | Promise<ChatBehaviour>;
  signInUrl?: string | null;
  /** Static files by path (for pages in browser tests). */
  files?: Record<string, StaticFile>;
  /**
   * Decides a history request before the default answer: a status to refuse with (0 drops the
   * connection), or undefined for the stored history. May wait (a promise) to hold the answer back.
   */
  history?: (context: { conversationId: string; authorization: string | undefined }) => number | undefined | Promise<number | undefined>;
  /** Delay between SSE deltas, in ms. Default 0. */
  deltaDelayMs?: number;
}

export interface RecordingServer {
  url: string;
  origin: string;
  requests: RecordedRequest[];
  /** Requests to the API (OPTIONS preflights excluded). */
  apiRequests(): RecordedRequest[];
  options: RecordingServerOptions;
  /** Answers to requests whose messageId was already answered (idempotency). */
  history: Map<string, HistoryMessage[]>;
  close(): Promise<void>;
}

const CORS_HEADERS = 'authorization, content-type, accept';

export async function startRecordingServer(options: RecordingServerOptions = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const answered = new Map<string, ChatResponse>();
  const history = new Map<string, HistoryMessage[]>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    requests.push({ method: req.method ?? '', url, path, headers: { ...req.headers }, body });

    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    const file = options.files?.[path];
    if (file && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store', ...file.headers });
      res.end(file.body);
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': CORS_HEADERS,
        'Access-Control-Max-Age': '0',
      });
      res.end();
      return;
    }
    if (req.method === 'GET' && path === '/v1/widget-config') {
      return json(res, 200, { signInUrl: options.signInUrl ?? null });
    }
    const historyMatch = /^\/v1\/conversations\/([^/]+)\/messages$/.exec(path);
    if (req.method === 'GET' && historyMatch) {
      const id = decodeURIComponent(historyMatch[1] ?? '');
      const refuse = await options.history?.({ conversationId: id, authorization: req.headers.authorization });
      if (refuse === 0) {
        req.socket.destroy();
        return;
      }
      if (refuse !== undefined) return json(res, refuse, { error: { code: 'refused', message: 'Refused.' } });
      const messages = history.get(id);
      if (!messages) return json(res, 404, { error: { code: 'not-found', message: 'No such conversation.' } });
      return json(res, 200, { conversationId: id, messages });
    }
    if (req.method === 'POST' && path === '/v1/chat') return chat(req, res, body);
    json(res, 404, { error: { code: 'not-found', message: 'Not found.' } });
  }

  async function chat(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    let request: ChatRequest;
    try {
      request = JSON.parse(raw) as ChatRequest;
    } catch {
      return json(res, 400, { error: { code: 'bad-request', message: 'Send JSON.' } });
    }
    const attempt = (attempts.get(request.messageId) ?? 0) + 1;
    attempts.set(request.messageId, attempt);
    const stream = String(req.headers.accept ?? '').includes('text/event-stream');
    const previous = answered.get(request.messageId);
    if (previous) return reply(res, previous, stream);

    const behaviour = await (options.chat ?? defaultChat)({ request, authorization: req.headers.authorization, attempt });
    if (behaviour.type === 'drop') {
      req.socket.destroy();
      return;
    }
    if (behaviour.type === 'error') {
      return json(res, behaviour.status, { error: { code: behaviour.code, message: behaviour.message ?? 'Refused.' } }, behaviour.headers);
    }
    const conversationId = request.conversationId ?? randomUUID();
    const replyBody: ChatReply =
      behaviour.type === 'answer'
        ? { type: 'answer', id: randomUUID(), text: behaviour.text, ...(behaviour.tool ? { tool: behaviour.tool } : {}) }
        : {
            type: 'refusal',
            id: randomUUID(),
            tool: behaviour.tool ?? 'account-balance',
            reason: behaviour.reason,
            message: behaviour.message ?? 'Sign in to continue.',
          };
    const response: ChatResponse = { conversationId, messageId: request.messageId, reply: replyBody };
    const messages = history.get(conversationId) ?? [];
    messages.push({ id: request.messageId, role: 'visitor', text: request.text, createdAt: new Date().toISOString() });
    if (replyBody.type === 'answer') {
      // A refused turn stores no reply, so a re-send after sign-in runs again.
      answered.set(request.messageId, response);
      messages.push({ id: replyBody.id, role: 'assistant', text: replyBody.text, createdAt: new Date().toISOString() });
    }
    history.set(conversationId, messages);
    return reply(res, response, stream);
  }

  async function reply(res: ServerResponse, response: ChatResponse, stream: boolean): Promise<void> {
    if (!stream) return json(res, 200, response);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('start', { conversationId: response.conversationId, messageId: response.messageId, replyId: response.reply.id });
    if (response.reply.type === 'answer') {
      for (const piece of response.reply.text.match(/\S+\s*/g) ?? []) {
        send('delta', { text: piece });
        if (options.deltaDelayMs) await new Promise((r) => setTimeout(r, options.deltaDelayMs));
      }
    }
    send('end', response);
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'Test server failed.' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    requests,
    apiRequests: () => requests.filter((r) => r.method !== 'OPTIONS' && r.path.startsWith('/v1/')),
    options,
    history,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function defaultChat({ request }: ChatContext): ChatBehaviour {
  return { type: 'answer', text: `You said: ${request.text}` };
}

function json(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
