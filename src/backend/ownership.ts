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
 * A request an owned conversation refused: the failure to report only when the
 * token is the owner's and merely expired, so the widget refreshes it or offers
 * sign-in. The verifier says `expired` only after the signature, issuer and
 * audience checked out (SPEC §3: signature before claims), so that token's
 * `sub` is the key holder's word and may be compared with the owner.
 *
 * Everything else gets null — no token, a garbage, forged or foreign-key token,
 * another visitor's valid or expired token: the caller answers exactly as it
 * answers for an id that does not exist, so no token tells an owned id from a
 * random one.
 */
export function expiredOwnerFailure(
  conversation: Conversation,
  verification: VerifyResult,
  authorization: string | null | undefined,
): Extract<VerifyResult, { ok: false }> | null {
  if (verification.ok || verification.reason !== 'expired' || conversation.ownerSub === null) return null;
  const payload = /^bearer\s+[^.\s]+\.([^.\s]+)\.\S+\s*$/i.exec(authorization ?? '')?.[1];
  try {
    const sub: unknown = payload === undefined ? undefined : JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))?.sub;
    return sub === conversation.ownerSub ? verification : null;
  } catch {
    return null;
  }
}
