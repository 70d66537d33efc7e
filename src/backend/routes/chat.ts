import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import { LIMITS, type ChatStreamEvents } from '../../protocol/chat.js';
import type { Assistant } from '../assistant.js';
import { apiError } from '../http/errors.js';
import { readJsonObject, unknownFields } from '../http/json-body.js';
import type { SignInSettings } from '../sign-in-settings.js';
import type { Store } from '../store.js';
import { takeTurn, type TurnRequest } from '../turn.js';

const CHAT_FIELDS = ['conversationId', 'messageId', 'text'] as const;
/** Client ids (messageId, conversationId): UUIDs in practice; any short base64url-safe string is accepted. */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Streamed answers are cut at word boundaries into pieces of about this many characters. */
const DELTA_CHARS = 24;

export function chatRoutes(deps: {
  store: Store;
  settings: SignInSettings;
  assistant: Assistant;
  logger: Logger;
  maxMessagesPerConversation: number;
}): Hono {
  const { store, settings, assistant, maxMessagesPerConversation } = deps;
  const routes = new Hono();

  routes.post('/', async (c) => {
    const parsed = await readJsonObject(c);
    if (!parsed.ok) return parsed.response;
    const checked = checkChatRequest(parsed.value);
    if (!checked.ok) return apiError(c, 400, 'invalid-request', checked.message, checked.fields);
    const request = checked.value;

    // Every request is verified; the verifier's result cache makes a repeated token cheap.
    const authorization = c.req.header('authorization');
    const verification = await settings.verifier().verifyAuthorization(authorization);

    const result = takeTurn({ store, assistant, maxMessagesPerConversation }, request, verification, authorization);

    c.header('Cache-Control', 'no-store');
    if (!result.ok) return apiError(c, result.status, result.code, result.message);
    const { reply } = result.response;
    if (reply.type === 'refusal') {
      // The tool and the reason code only: never the token or a claim value.
      deps.logger.info({ event: 'secure-tool-refused', tool: reply.tool, reason: reply.reason }, 'secure tool refused');
    }
    if (!wantsEventStream(c.req.header('accept'))) return c.json(result.response);

    const { response } = result;
    return streamSSE(c, async (stream) => {
      const send = <K extends keyof ChatStreamEvents>(event: K, data: ChatStreamEvents[K]) =>
        stream.writeSSE({ event, data: JSON.stringify(data) });
      try {
        await send('start', { conversationId: response.conversationId, messageId: response.messageId, replyId: response.reply.id });
        if (response.reply.type === 'answer') {
          for (const piece of chunkText(response.reply.text, DELTA_CHARS)) await send('delta', { text: piece });
        }
        await send('end', response);
      } catch (error) {
        // Usually the client went away. The turn is stored, so a retry with the same messageId gets it.
        deps.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'chat stream failed');
        await send('error', { code: 'internal-error', message: 'The reply stream broke; send the message again with the same messageId.' }).catch(
          () => undefined,
        );
      }
    });
  });

  return routes;
}

function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);
}

type Checked = { ok: true; value: TurnRequest } | { ok: false; message: string; fields: Record<string, string> };

function checkChatRequest(body: Record<string, unknown>): Checked {
  const fields = unknownFields(body, CHAT_FIELDS);
  const { conversationId, messageId, text } = body;
  if (conversationId !== undefined && conversationId !== null && (typeof conversationId !== 'string' || !CLIENT_ID.test(conversationId))) {
    fields.conversationId = 'conversationId must be null (a new conversation) or the id a previous reply returned.';
  }
  if (typeof messageId !== 'string' || !CLIENT_ID.test(messageId)) {
    fields.messageId = 'messageId must be a client-generated id (a UUID) of 1–128 letters, digits, "-" or "_".';
  }
  if (typeof text !== 'string' || text.trim() === '') {
    fields.text = 'text must be a non-empty string.';
  } else if (text.length > LIMITS.maxMessageChars) {
    fields.text = `text is longer than ${LIMITS.maxMessageChars} characters; send a shorter message.`;
  }
  if (Object.keys(fields).length > 0) {
    return { ok: false, message: `The chat request is invalid: ${Object.values(fields).join(' ')}`, fields };
  }
  return {
    ok: true,
    value: { conversationId: (conversationId as string | null | undefined) ?? null, messageId: messageId as string, text: text as string },
  };
}

/** Splits text at word boundaries into pieces of at least `size` characters; joined, they are the text exactly. */
export function chunkText(text: string, size: number): string[] {
  const words = text.split(/(?<=\s)(?=\S)/);
  const pieces: string[] = [];
  let piece = '';
  for (const word of words) {
    piece += word;
    if (piece.length >= size) {
      pieces.push(piece);
      piece = '';
    }
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
