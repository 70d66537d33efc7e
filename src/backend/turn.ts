import { randomUUID } from 'node:crypto';
import type { ChatReply, ChatResponse } from '../protocol/chat.js';
import type { Assistant } from './assistant.js';
import { canAccess, expiredOwnerFailure } from './ownership.js';
import type { Conversation, Store } from './store.js';
import type { VerifyResult } from '../verifier/index.js';

export interface TurnRequest {
  conversationId: string | null;
  messageId: string;
  text: string;
}

export type TurnResult =
  | { ok: true; response: ChatResponse }
  | { ok: false; status: 404 | 409; code: 'conversation-not-found' | 'message-id-conflict' | 'conversation-full'; message: string };

const NOT_FOUND = {
  ok: false,
  status: 404,
  code: 'conversation-not-found',
  message: 'This conversation does not exist or belongs to another visitor; start a new conversation (conversationId null).',
} as const;
const ID_CONFLICT = {
  ok: false,
  status: 409,
  code: 'message-id-conflict',
  message: 'This messageId is already used by another message; send a new messageId for a new message.',
} as const;

function conversationFull(max: number): TurnResult {
  return {
    ok: false,
    status: 409,
    code: 'conversation-full',
    message: `This conversation holds its maximum of ${max} messages; start a new conversation (conversationId null).`,
  };
}

/**
 * The owner's token has merely expired: say so, as a refusal, and store
 * nothing, so the widget can re-send the same message after a refresh or
 * sign-in. Otherwise (any other token, or none) NOT_FOUND, as for an id that
 * does not exist.
 */
function ownerMustSignInAgain(
  request: TurnRequest,
  conversation: Conversation,
  verification: VerifyResult,
  authorization: string | null | undefined,
): TurnResult | null {
  const failure = expiredOwnerFailure(conversation, verification, authorization);
  if (!failure) return null;
  const reply: ChatReply = {
    type: 'refusal',
    id: randomUUID(),
    tool: 'conversation',
    reason: failure.reason,
    message: failure.message,
  };
  return { ok: true, response: { conversationId: conversation.id, messageId: request.messageId, reply } };
}

/**
 * One visitor message, from the idempotency lookup to the stored reply, in one
 * synchronous SQLite transaction, so no other request interleaves.
 *
 * - A known messageId (a retry) returns the stored answer and stores nothing.
 * - A refused turn stores the visitor message but no reply, so re-sending the
 *   same messageId after sign-in runs the tool gate again.
 * - The first verified write claims an anonymous conversation; an owned one is
 *   reachable only by the same sub (404 otherwise, as if it did not exist),
 *   except that the owner's merely expired token gets a refusal saying so.
 * - A conversation takes a new message only while it has room for it and its
 *   reply (`maxMessagesPerConversation`); retries are answered regardless.
 */
export function takeTurn(
  deps: { store: Store; assistant: Assistant; maxMessagesPerConversation: number },
  request: TurnRequest,
  verification: VerifyResult,
  /** The request's Authorization header: tells the owner's expired token from any other. */
  authorization?: string | null,
): TurnResult {
  const { store, assistant } = deps;
  const sub = verification.ok ? verification.identity.userId : null;
  return store.transaction((): TurnResult => {
    let conversation: Conversation | null;
    const earlier = store.findTurn(request.messageId);
    if (earlier) {
      if (request.conversationId !== null && request.conversationId !== earlier.conversationId) return ID_CONFLICT;
      conversation = store.getConversation(earlier.conversationId);
      if (!conversation || !canAccess(conversation, sub)) {
        if (request.conversationId === null) return ID_CONFLICT;
        return (conversation && ownerMustSignInAgain(request, conversation, verification, authorization)) || NOT_FOUND;
      }
      if (earlier.text !== request.text) return ID_CONFLICT;
    } else {
      if (store.messageIdTaken(request.messageId)) return ID_CONFLICT;
      if (request.conversationId !== null) {
        conversation = store.getConversation(request.conversationId);
        if (!conversation || !canAccess(conversation, sub)) {
          return (conversation && ownerMustSignInAgain(request, conversation, verification, authorization)) || NOT_FOUND;
        }
        if (store.messageCount(conversation.id) + 2 > deps.maxMessagesPerConversation) return conversationFull(deps.maxMessagesPerConversation);
      } else {
        conversation = store.createConversation(sub);
      }
      store.addVisitorMessage(conversation.id, request.messageId, request.text);
    }
    if (sub !== null && conversation.ownerSub === null) store.claimConversation(conversation.id, sub);

    const conversationId = conversation.id;
    const respond = (reply: ChatReply): TurnResult => ({ ok: true, response: { conversationId, messageId: request.messageId, reply } });
    if (earlier?.reply) {
      const stored = earlier.reply;
      return respond({ type: 'answer', id: stored.id, text: stored.text, ...(stored.tool ? { tool: stored.tool } : {}) });
    }
    const outcome = assistant.respond(request.text, verification, { ledger: store });
    if (outcome.kind === 'refusal') {
      const { kind: _kind, ...refusal } = outcome;
      return respond({ type: 'refusal', id: randomUUID(), ...refusal });
    }
    const answer = { id: randomUUID(), text: outcome.text, tool: outcome.tool ?? null };
    store.addReply(conversationId, request.messageId, answer);
    return respond({ type: 'answer', id: answer.id, text: answer.text, ...(outcome.tool ? { tool: outcome.tool } : {}) });
  });
}
