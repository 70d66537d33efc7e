/**
 * The chat wire format between the widget and the backend. Both sides import
 * these types, so a change here is a change to the protocol (documented in
 * docs/wire-protocol.md).
 *
 * Transport rules (SPEC §2.5): the visitor token travels only in the
 * `Authorization: Bearer` header, never in a URL or a body.
 */
import type { RefusalReason } from './reasons.js';

export const API_PATHS = {
  widgetConfig: '/v1/widget-config',
  chat: '/v1/chat',
  /** GET `${conversations}/${conversationId}/messages` — the conversation's history. */
  conversations: '/v1/conversations',
} as const;

/** GET /v1/widget-config — public, never contains a secret. */
export interface WidgetConfigResponse {
  signInUrl: string | null;
}

/** POST /v1/chat request body. */
export interface ChatRequest {
  /** null or absent starts a new conversation. */
  conversationId?: string | null;
  /**
   * Client-generated id of the visitor's message (UUID). Sending the same id
   * again (a retry after a network failure) never creates a second message: the
   * backend answers with the reply it already stored. A refused turn stores no
   * reply, so re-sending it after sign-in runs the tool gate again.
   */
  messageId: string;
  text: string;
}

/** The assistant's answer to a visitor message. */
export interface AnswerReply {
  type: 'answer';
  id: string;
  text: string;
  /** Name of the tool that produced the answer, when one did. */
  tool?: string;
}

/** A secure tool was needed and refused (SPEC §4.3). */
export interface RefusalReply {
  type: 'refusal';
  id: string;
  tool: string;
  reason: RefusalReason;
  /** One plain sentence saying what to do next; never contains a token. */
  message: string;
  /** With reason `missing-claim`: the claims the identity lacks. */
  missingClaims?: string[];
}

export type ChatReply = AnswerReply | RefusalReply;

/** POST /v1/chat response body (JSON mode). */
export interface ChatResponse {
  conversationId: string;
  messageId: string;
  reply: ChatReply;
}

/**
 * SSE mode: the client sends `Accept: text/event-stream`; the backend answers
 * with these events, in this order: one `start`, zero or more `delta`, then
 * exactly one `end` (or one `error`).
 */
export interface ChatStreamEvents {
  start: { conversationId: string; messageId: string; replyId: string };
  delta: { text: string };
  end: ChatResponse;
  error: ApiErrorBody['error'];
}
export type ChatStreamEventName = keyof ChatStreamEvents;

/** GET /v1/conversations/:id/messages */
export interface HistoryMessage {
  id: string;
  role: 'visitor' | 'assistant';
  text: string;
  tool?: string;
  createdAt: string;
}
export interface HistoryResponse {
  conversationId: string;
  messages: HistoryMessage[];
}

/** Every 4xx/5xx body from the backend. `code` is stable; `message` says what to do. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    /** Per-field messages for a rejected config (PUT /v1/admin/visitor-sign-in). */
    fields?: Record<string, string>;
  };
}

/**
 * The ApiErrorBody code of a 429 from any endpoint: this client sent too many
 * requests. The `Retry-After` header (exposed to the widget's origins by CORS)
 * gives the seconds to wait; a client shows that and does not retry in a loop.
 */
export const RATE_LIMITED_CODE = 'rate-limited';
export type RateLimitedCode = typeof RATE_LIMITED_CODE;

export const LIMITS = {
  /** Longest visitor message the backend accepts, in characters. */
  maxMessageChars: 4000,
  /** Largest request body the backend reads, in bytes. */
  maxBodyBytes: 64 * 1024,
  /** Largest token identify() and the verifier accept, in characters. */
  maxTokenChars: 16 * 1024,
} as const;
