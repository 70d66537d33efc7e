import type { Conversation } from './store.js';

/**
 * SPEC §4.4: a conversation started or claimed by a signed-in visitor is
 * reachable only with a verified token for the same sub; an anonymous one is
 * reachable by its (unguessable) id. `sub` is null when the request did not
 * verify.
 */
export function canAccess(conversation: Conversation, sub: string | null): boolean {
  return conversation.ownerSub === null || conversation.ownerSub === sub;
}
