/**
 * Every request from the widget to the backend (SPEC §2.5, pinned): the token
 * travels only in `Authorization: Bearer`, on every request while one is set
 * and never otherwise; never in a URL or a body. Replies stream over SSE via
 * fetch (EventSource cannot send headers), parsed by ./sse.ts.
 */
import {
  API_PATHS,
  RATE_LIMITED_CODE,
  type ApiErrorBody,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvents,
  type HistoryResponse,
  type WidgetConfigResponse,
} from '../protocol/chat.js';
import { createSseParser } from './sse.js';

export type ChatOutcome =
  | { ok: true; response: ChatResponse }
  /** The connection failed or the stream was cut: retry with the same messageId. */
  | { ok: false; kind: 'network' }
  /** `retryAfter`: with code `rate-limited` (429), the seconds the backend asked to wait. */
  | { ok: false; kind: 'http'; code: string; message: string; retryAfter?: number }
  | { ok: false; kind: 'aborted' };

export interface ChatCall {
  stream: boolean;
  signal: AbortSignal;
  onStart?(start: ChatStreamEvents['start']): void;
  onDelta?(text: string): void;
}

/** The outcome plus the token the request carried (for refresh coalescing). */
export type ChatResult = ChatOutcome & { usedToken: string | null };

export class Transport {
  readonly #apiUrl: string;
  readonly #getToken: () => string | null;

  constructor(apiUrl: string, getToken: () => string | null) {
    this.#apiUrl = apiUrl;
    this.#getToken = getToken;
  }

  /** The backend's public widget config, or null when it cannot be read. */
  async widgetConfig(signal: AbortSignal): Promise<WidgetConfigResponse | null> {
    const response = await this.#request('GET', API_PATHS.widgetConfig, signal).catch(() => null);
    if (!response?.ok) return null;
    const body = (await response.json().catch(() => null)) as Partial<WidgetConfigResponse> | null;
    return { signInUrl: typeof body?.signInUrl === 'string' ? body.signInUrl : null };
  }

  /** The history, else the status that refused it (0: no answer, or an unreadable one). */
  async history(conversationId: string, signal: AbortSignal): Promise<HistoryResponse | number> {
    const path = `${API_PATHS.conversations}/${encodeURIComponent(conversationId)}/messages`;
    const response = await this.#request('GET', path, signal).catch(() => null);
    if (!response?.ok) return response?.status ?? 0;
    const body = (await response.json().catch(() => null)) as HistoryResponse | null;
    return body && Array.isArray(body.messages) ? body : 0;
  }

  async chat(request: ChatRequest, call: ChatCall): Promise<ChatResult> {
    const usedToken = this.#getToken();
    const outcome = await this.#chat(request, call, usedToken);
    return { ...outcome, usedToken };
  }

  async #chat(request: ChatRequest, call: ChatCall, token: string | null): Promise<ChatOutcome> {
    try {
      const response = await this.#request('POST', API_PATHS.chat, call.signal, token, request, call.stream);
      if (!response.ok) return await httpFailure(response);
      const type = response.headers.get('content-type') ?? '';
      if (call.stream && type.includes('text/event-stream') && response.body) {
        return await readStream(response.body, call);
      }
      return answered(await response.json());
    } catch {
      return call.signal.aborted ? { ok: false, kind: 'aborted' } : { ok: false, kind: 'network' };
    }
  }

  #request(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    token: string | null = this.#getToken(),
    body?: ChatRequest,
    stream = false,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: stream ? 'text/event-stream' : 'application/json' };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    if (body) headers['Content-Type'] = 'application/json';
    return fetch(this.#apiUrl + path, {
      method,
      headers,
      body: body ? JSON.stringify(body) : null,
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  }
}

function failure(code: unknown, message: unknown, fallback: string): ChatOutcome {
  return {
    ok: false,
    kind: 'http',
    code: typeof code === 'string' ? code : 'bad-response',
    message: typeof message === 'string' ? message : fallback,
  };
}

async function httpFailure(response: Response): Promise<ChatOutcome> {
  const error = ((await response.json().catch(() => null)) as Partial<ApiErrorBody> | null)?.error;
  if (response.status === 429) {
    // Retry-After in seconds (the backend exposes it to CORS); a date, 0 or nothing reads as a minute.
    return { ok: false, kind: 'http', code: RATE_LIMITED_CODE, message: '', retryAfter: Number(response.headers.get('retry-after')) || 60 };
  }
  return failure(error?.code, error?.message, `The chat service answered ${response.status}.`);
}

/** A chat response as the wire defines it; anything else is a failure, never rendered. */
function answered(value: unknown): ChatOutcome {
  const response = value as ChatResponse | null;
  return typeof response?.conversationId === 'string' && /^(answer|refusal)$/.test(response.reply?.type)
    ? { ok: true, response }
    : failure(0, 0, 'The chat service sent an unreadable reply.');
}

async function readStream(body: ReadableStream<Uint8Array>, call: ChatCall): Promise<ChatOutcome> {
  let outcome: ChatOutcome | null = null;
  const feed = createSseParser((event, data) => {
    if (outcome) return;
    let payload: { text?: unknown; code?: unknown; message?: unknown } & ChatStreamEvents['start'];
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'start') call.onStart?.(payload);
    else if (event === 'delta' && typeof payload?.text === 'string') call.onDelta?.(payload.text);
    else if (event === 'end') outcome = answered(payload);
    else if (event === 'error') outcome = failure(payload?.code, payload?.message, 'The chat service failed to answer.');
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let done = false;
  try {
    while (!outcome && !done) {
      const chunk = await reader.read();
      done = chunk.done;
      if (chunk.value) feed(decoder.decode(chunk.value, { stream: true }));
    }
  } finally {
    if (!outcome) reader.cancel().catch(() => undefined);
  }
  // The reply is known: read the rest (the server closes right after `end`) instead of cancelling, so
  // DevTools and monitoring see a completed request, not a cancelled one (net::ERR_ABORTED).
  if (outcome && !done) void drain(reader);
  // A stream that ends without `end` was cut: the turn may or may not be stored, so it is retried by id.
  return outcome ?? { ok: false, kind: 'network' };
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    // The page aborted the request (destroy, logout): nothing is left to read.
  }
}
