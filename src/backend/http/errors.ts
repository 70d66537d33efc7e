import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorBody, RateLimitedCode } from '../../protocol/chat.js';
import type { FailureReason } from '../../protocol/reasons.js';

/** Stable error codes of the backend's ApiErrorBody (documented in docs/backend.md). */
export type ApiErrorCode =
  | 'invalid-json'
  | 'invalid-request'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'invalid-config'
  | 'unauthorized'
  | 'not-found'
  | 'conversation-not-found'
  | 'message-id-conflict'
  | 'internal-error'
  /** 429: too many requests from this client; Retry-After says when to try again. */
  | RateLimitedCode
  /** 409: the conversation holds its maximum number of messages; start a new one. */
  | 'conversation-full'
  /** Sign-in relay: the one refusal for an unknown, expired, reused or wrongly proven state (404). */
  | 'relay-refused'
  /** Sign-in relay: the request's Origin is not the one this endpoint answers (403). */
  | 'relay-origin-refused'
  /** Sign-in relay: the verifier refused the relayed token (400). */
  | 'relay-token-refused'
  /** The owner's token of a signed-in conversation failed to verify (history endpoint, 401). */
  | FailureReason;

export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode,
  message: string,
  fields?: Record<string, string>,
): Response {
  const body: ApiErrorBody = { error: fields ? { code, message, fields } : { code, message } };
  return c.json(body, status);
}
