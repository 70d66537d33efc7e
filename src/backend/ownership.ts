import type { Conversation } from './store.js';
import type { VerifyResult } from '../verifier/index.js';

/**
 * SPEC §4.4: a conversation started or claimed by a signed-in visitor is
 * reachable only with a verified token for the same sub; an anonymous one is
 * reachable by its (unguessable) id. `sub` is null when the request did not
 * verify.
 */
export function canAccess(conversation: Conversation, sub: string | null): boolean {
  return conversation.ownerSub === null || conversation.ownerSub === sub;
}

/**
 * A request an owned conversation refused: when it carried a token that failed
 * to verify (most often the owner's, expired), the failure to report, so the
 * widget refreshes the token or offers sign-in. No token, or another visitor's
 * valid token, gets null: answer as if the conversation did not exist.
 */
export function tokenFailureToReport(verification: VerifyResult): Extract<VerifyResult, { ok: false }> | null {
  return !verification.ok && verification.reason !== 'missing-token' ? verification : null;
}
