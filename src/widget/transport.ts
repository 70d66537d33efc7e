/**
 * Every request from the widget to the backend (SPEC §2.5, pinned): the token
 * travels only in `Authorization: Bearer`, on every request while one is set
 * and never otherwise; never in a URL or a body. Replies stream over SSE via
 * fetch (EventSource cannot send headers), parsed by eventsource-parser.
 */
import { createParser } from 'eventsource-parser';
import {
  API_PATHS,
  type ApiErrorBody,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvents,
  type HistoryResponse,
  type WidgetConfigResponse,
} from '../protocol/chat.js';

export type ChatOutcome =
  | { ok: true; response: ChatResponse }
  /** The connection failed or the stream was cut: retry with the same messageId. */
  | { ok: false; kind: 'network' }
  | { ok: false; kind: 'http'; status: number; code: string; message: string }
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
  readonly #fetch: typeof fetch;
  readonly #getToken: () => string | null;

  constructor(apiUrl: string, fetchImpl: typeof fetch, getToken: () => string | null) {
    this.#apiUrl = apiUrl;
    this.#fetch = fetchImpl;
    this.#getToken = getToken;
  }

  /** The backend's public widget config, or null when it cannot be read. */
  async widgetConfig(signal: AbortSignal): Promise<WidgetConfigResponse | null> {
    const response = await this.#request('GET', API_PATHS.widgetConfig, signal).catch(() => null);
    if (!response?.ok) return null;
    const body = (await response.json().catch(() => null)) as Partial<WidgetConfigResponse> | null;
    return { signInUrl: typeof body?.signInUrl === 'string' ? body.signInUrl : null };
  }

  async history(conversationId: string, signal: AbortSignal): Promise<HistoryResponse | null> {
    const path = `${API_PATHS.conversations}/${encodeURIComponent(conversationId)}/messages`;
    const response = await this.#request('GET', path, signal).catch(() => null);
    if (!response?.ok) return null;
    const body = (await response.json().catch(() => null)) as HistoryResponse | null;
    return body && Array.isArray(body.messages) ? body : null;
  }

  async chat(request: ChatRequest, call: ChatCall): Promise<ChatResult> {
    const usedToken = this.#getToken();
    const outcome = await this.#chat(request, call, usedToken);
    return { ...outcome, usedToken };
  }

  async #chat(request: ChatRequest, call: ChatCall, token: string | null): Promise<ChatOutcome> {
    let response: Response;
    try {
      response = await this.#request('POST', API_PATHS.chat, call.signal, token, request, call.stream);
    } catch {
      return call.signal.aborted ? { ok: false, kind: 'aborted' } : { ok: false, kind: 'network' };
    }
    try {
      if (!response.ok) return await httpFailure(response);
      const type = response.headers.get('content-type') ?? '';
      if (call.stream && type.includes('text/event-stream') && response.body) {
        return await readStream(response.body, call);
      }
      const body = (await response.json()) as ChatResponse;
      return isChatResponse(body) ? { ok: true, response: body } : malformed(response.status);
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
    return this.#fetch(this.#apiUrl + path, {
      method,
      headers,
      body: body ? JSON.stringify(body) : null,
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  }
}

async function httpFailure(response: Response): Promise<ChatOutcome> {
  const body = (await response.json().catch(() => null)) as Partial<ApiErrorBody> | null;
  const error = body?.error;
  return {
    ok: false,
    kind: 'http',
    status: response.status,
    code: typeof error?.code === 'string' ? error.code : `http-${response.status}`,
    message: typeof error?.message === 'string' ? error.message : `The chat service answered ${response.status}.`,
  };
}

function malformed(status: number): ChatOutcome {
  return { ok: false, kind: 'http', status, code: 'bad-response', message: 'The chat service sent a reply the widget cannot read.' };
}

function isChatResponse(value: unknown): value is ChatResponse {
  const reply = (value as ChatResponse | null)?.reply;
  return (
    typeof (value as ChatResponse | null)?.conversationId === 'string' &&
    reply !== null &&
    typeof reply === 'object' &&
    (reply.type === 'answer' || reply.type === 'refusal')
  );
}

async function readStream(body: ReadableStream<Uint8Array>, call: ChatCall): Promise<ChatOutcome> {
  let outcome: ChatOutcome | null = null;
  const parser = createParser({
    onEvent(event) {
      if (outcome) return;
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (event.event === 'start') call.onStart?.(data as ChatStreamEvents['start']);
      else if (event.event === 'delta') {
        const text = (data as ChatStreamEvents['delta'] | null)?.text;
        if (typeof text === 'string') call.onDelta?.(text);
      } else if (event.event === 'end') {
        outcome = isChatResponse(data) ? { ok: true, response: data } : malformed(200);
      } else if (event.event === 'error') {
        const error = data as Partial<ChatStreamEvents['error']> | null;
        outcome = {
          ok: false,
          kind: 'http',
          status: 200,
          code: typeof error?.code === 'string' ? error.code : 'stream-error',
          message: typeof error?.message === 'string' ? error.message : 'The chat service failed while answering.',
        };
      }
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    while (!outcome) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  // A stream that ends without `end` was cut: the turn may or may not be stored, so it is retried by id.
  return outcome ?? { ok: false, kind: 'network' };
}
