import { Hono } from 'hono';
import type { HistoryResponse, WidgetConfigResponse } from '../../protocol/chat.js';
import { apiError } from '../http/errors.js';
import { canAccess, expiredOwnerFailure } from '../ownership.js';
import type { SignInSettings } from '../sign-in-settings.js';
import type { Store } from '../store.js';

/** GET /v1/widget-config: the public part of the config, never a secret. */
export function widgetConfigRoutes(deps: { settings: SignInSettings }): Hono {
  const routes = new Hono();
  routes.get('/', (c) => {
    const body: WidgetConfigResponse = { signInUrl: deps.settings.current().signInUrl ?? null };
    c.header('Cache-Control', 'no-cache');
    return c.json(body);
  });
  return routes;
}

/** GET /v1/conversations/:id/messages: the history, under the same ownership rule as /v1/chat. */
export function conversationRoutes(deps: { store: Store; settings: SignInSettings }): Hono {
  const routes = new Hono();
  routes.get('/:id/messages', async (c) => {
    const authorization = c.req.header('authorization');
    const verification = await deps.settings.verifier().verifyAuthorization(authorization);
    const sub = verification.ok ? verification.identity.userId : null;
    const id = c.req.param('id');
    const conversation = deps.store.getConversation(id);
    c.header('Cache-Control', 'no-store');
    if (!conversation || !canAccess(conversation, sub)) {
      // One answer for "not yours" and "does not exist", whatever the token, unless it is the owner's, expired.
      const failure = conversation ? expiredOwnerFailure(conversation, verification, authorization) : null;
      if (failure) {
        c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
        return apiError(c, 401, failure.reason, failure.message);
      }
      return apiError(
        c,
        404,
        'conversation-not-found',
        'This conversation does not exist or belongs to another visitor; sign in as its owner or start a new conversation.',
      );
    }
    const body: HistoryResponse = { conversationId: conversation.id, messages: deps.store.history(conversation.id) };
    return c.json(body);
  });
  return routes;
}
