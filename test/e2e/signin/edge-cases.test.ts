// The edges of popup sign-in: no Sign-in URL configured, a popup left open until it
// times out, and a signed-in visitor's token expiring inside their own conversation
// (the backend's refusal with tool "conversation", docs/wire-protocol.md Ownership).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STRINGS } from '../../../src/widget/strings.js';
import {
  BALANCE_QUESTION,
  ask,
  askAndCatchPopup,
  chatExchanges,
  chatRequests,
  identifyInPage,
  openChat,
  openShop,
  recordWidgetPayloads,
  refreshCalls,
  signInButton,
  signInOnForm,
  startHarness,
  storedHistory,
  waitForChatRequests,
  waitForConversationText,
  waitForWidgetEvent,
  widgetEvents,
  widgetPayloads,
  widgetRequests,
  withChatRecorder,
  withoutUserActivation,
  type Harness,
} from './support.js';

const ORDERS_QUESTION = 'Show my orders';
const ALICE_BALANCE = '$1,284.50';
const ALICE_ORDER = 'Trail running shoes';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Every page the context opens after this call (popups included, whatever their opener). */
function collectNewPages(context: { on(event: 'page', handler: (page: Page) => void): unknown }): Page[] {
  const opened: Page[] = [];
  context.on('page', (page) => opened.push(page));
  return opened;
}

describe('no Sign-in URL is configured', () => {
  it('a refused balance question emits signin-required, explains in plain words, and opens no popup', async () => {
    const { demo } = harness;
    await demo.admin.putConfig({
      mode: 'jwks',
      jwksUrl: demo.jwksUrl,
      issuer: demo.signInOrigin,
      signInUrl: null,
      claimMapping: null,
      allowedOrigins: [demo.siteOrigin],
      hmacSecret: null,
    });
    try {
      expect(await demo.admin.getConfig()).toMatchObject({ mode: 'jwks', signInUrl: null });
      const { context, page, errors, mark } = await openShop(harness);
      try {
        const opened = collectNewPages(context);
        await recordWidgetPayloads(page);
        await openChat(page);
        await ask(page, BALANCE_QUESTION);
        await waitForWidgetEvent(page, 'signin-required');
        await waitForConversationText(page, DEFAULT_STRINGS.reasons['missing-token']);
        await waitForConversationText(page, DEFAULT_STRINGS.signInUnavailable);

        expect(await widgetPayloads(page, 'signin-required')).toEqual([{ reason: 'missing-token', tool: 'account-balance' }]);
        await expect(signInButton(page).count()).resolves.toBe(0);
        const events = await widgetEvents(page);
        expect(events).not.toContain('signin-blocked');
        expect(events).not.toContain('identify');
        expect(opened).toHaveLength(0);
        expect(context.pages()).toHaveLength(1);

        // The widget asked the backend for its Sign-in URL and got none; nothing it sent carried a token.
        const sent = widgetRequests(harness, mark);
        expect(sent.filter((request) => request.path === '/v1/widget-config').length).toBeGreaterThanOrEqual(1);
        expect(chatRequests(harness, mark)).toHaveLength(1);
        for (const request of sent) expect(request.authorization).toBe(false);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    } finally {
      await demo.admin.switchToJwks();
    }
  });
});

describe('the popup is left open until it times out', () => {
  // Long enough for the second popup's sign-in below to finish well inside it.
  const TIMEOUT_MS = 3_000;

  it('emits signin-cancelled (timeout), closes the popup, says so, and the button still signs in afterwards', async () => {
    const { context, page, errors, mark } = await openShop(harness, withChatRecorder, `?signInTimeoutMs=${TIMEOUT_MS}`);
    try {
      await recordWidgetPayloads(page);
      await openChat(page);
      const first = await askAndCatchPopup(page, BALANCE_QUESTION);
      const firstClosed = first.waitForEvent('close');

      await waitForWidgetEvent(page, 'signin-cancelled');
      await firstClosed; // closed by the widget: the test never touched it
      expect(first.isClosed()).toBe(true);
      expect(await widgetPayloads(page, 'signin-cancelled')).toEqual([{ reason: 'timeout' }]);
      await waitForConversationText(page, DEFAULT_STRINGS.signInTimeout);
      expect(await widgetEvents(page)).not.toContain('identify');
      expect(chatRequests(harness, mark).map((request) => request.authorization)).toEqual([false]);

      const secondPromise = page.waitForEvent('popup');
      await signInButton(page).click();
      const second = await secondPromise;
      await second.waitForLoadState('domcontentloaded');
      const firstState = new URL(first.url()).searchParams.get('quincer_state');
      const secondState = new URL(second.url()).searchParams.get('quincer_state');
      expect(new URL(second.url()).origin).toBe(harness.demo.signInOrigin);
      expect(secondState).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(secondState).not.toBe(firstState);
      const secondClosed = second.waitForEvent('close');
      await signInOnForm(second, 'bob');
      await secondClosed;
      await waitForConversationText(page, '$42.00');
      await waitForWidgetEvent(page, 'signin-complete');

      const chats = await waitForChatRequests(harness, mark, 2);
      expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
        [false, null],
        [true, 'bob'],
      ]);
      // The refused question itself was re-sent, not a new one.
      const exchanges = await chatExchanges(page);
      expect(exchanges).toHaveLength(2);
      expect(exchanges[1]!.body.messageId).toBe(exchanges[0]!.body.messageId);
      expect((await widgetEvents(page)).filter((name) => name === 'signin-cancelled')).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the owner's token expires inside their signed-in conversation", () => {
  /** alice signs in on the shop and asks for her balance: answered, and the conversation is hers. */
  async function aliceOwnsTheConversation(page: Page, refresh: 'working' | 'none') {
    await identifyInPage(page, 'alice', 'valid', refresh);
    await waitForWidgetEvent(page, 'identify');
    await openChat(page);
    await ask(page, BALANCE_QUESTION);
    await waitForConversationText(page, ALICE_BALANCE);
  }

  it('with a working refresh provider: one refresh, no popup, the same message re-sent in the same conversation', async () => {
    const { context, page, errors, mark } = await openShop(harness, withChatRecorder);
    try {
      const opened = collectNewPages(context);
      await recordWidgetPayloads(page);
      await aliceOwnsTheConversation(page, 'working');
      const owned = (await chatExchanges(page))[0]!.response!;
      expect(owned.reply).toMatchObject({ type: 'answer', tool: 'account-balance' });
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual(['alice']);

      // Her token is now past exp (the page identifies again, for the same user, with the provider still set).
      await identifyInPage(page, 'alice', 'expired', 'working');
      await waitForWidgetEvent(page, 'identify', 2);
      const before = harness.demo.requests.length;
      await ask(page, ORDERS_QUESTION);
      await waitForConversationText(page, ALICE_ORDER);

      expect(await refreshCalls(page)).toBe(1);
      expect(opened).toHaveLength(0);
      expect(context.pages()).toHaveLength(1);
      const chats = chatRequests(harness, before);
      expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
        [true, 'alice'],
        [true, 'alice'],
      ]);
      expect(chats[0]!.exp!).toBeLessThan(nowSeconds());
      expect(chats[1]!.exp!).toBeGreaterThan(nowSeconds());

      // The backend refused the expired owner with tool "conversation"; the widget re-sent the same message there.
      const exchanges = await chatExchanges(page);
      expect(exchanges).toHaveLength(3);
      const [, refusedTurn, retriedTurn] = exchanges;
      expect(refusedTurn!.body.conversationId).toBe(owned.conversationId);
      expect(retriedTurn!.body).toEqual(refusedTurn!.body);
      expect(refusedTurn!.response!.reply).toMatchObject({ type: 'refusal', tool: 'conversation', reason: 'expired' });
      expect(retriedTurn!.response).toMatchObject({
        conversationId: owned.conversationId,
        reply: { type: 'answer', tool: 'my-orders' },
      });
      const stored = await storedHistory(harness, owned.conversationId, 'alice');
      expect(stored.map((message) => message.role)).toEqual(['visitor', 'assistant', 'visitor', 'assistant']);
      expect(stored[2]!.id).toBe(refusedTurn!.body.messageId);

      expect(await widgetPayloads(page, 'identify')).toEqual([
        { source: 'identify', refreshable: true },
        { source: 'identify', refreshable: true },
        { source: 'refresh', refreshable: true },
      ]);
      const events = await widgetEvents(page);
      for (const name of ['signin-blocked', 'signin-required', 'error']) expect(events).not.toContain(name);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('without a provider: sign-in is offered, and after the popup the message is re-sent and answered in the same conversation', async () => {
    const { context, page, errors, mark } = await openShop(harness, [withoutUserActivation, withChatRecorder]);
    try {
      await recordWidgetPayloads(page);
      await aliceOwnsTheConversation(page, 'none');
      const owned = (await chatExchanges(page))[0]!.response!;
      expect(owned.reply).toMatchObject({ type: 'answer', tool: 'account-balance' });

      await identifyInPage(page, 'alice', 'expired', 'none');
      await waitForWidgetEvent(page, 'identify', 2);
      const before = harness.demo.requests.length;
      await ask(page, ORDERS_QUESTION);
      await signInButton(page).waitFor();
      await waitForConversationText(page, DEFAULT_STRINGS.reasons.expired);
      await waitForWidgetEvent(page, 'signin-blocked');
      expect(await widgetPayloads(page, 'signin-blocked')).toEqual([{ reason: 'expired', tool: 'conversation' }]);
      expect(context.pages()).toHaveLength(1);
      const refused = chatRequests(harness, before);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ authorization: true, sub: 'alice' });
      expect(refused[0]!.exp!).toBeLessThan(nowSeconds());

      const popupPromise = page.waitForEvent('popup');
      await signInButton(page).click();
      const popup = await popupPromise;
      await popup.waitForLoadState('domcontentloaded');
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, ALICE_ORDER);
      await waitForWidgetEvent(page, 'signin-complete');

      const chats = chatRequests(harness, before);
      expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
        [true, 'alice'],
        [true, 'alice'],
      ]);
      expect(chats[1]!.exp!).toBeGreaterThan(nowSeconds());
      const exchanges = await chatExchanges(page);
      expect(exchanges).toHaveLength(3);
      const [, refusedTurn, resentTurn] = exchanges;
      expect(refusedTurn!.body.conversationId).toBe(owned.conversationId);
      expect(resentTurn!.body).toEqual(refusedTurn!.body);
      expect(refusedTurn!.response!.reply).toMatchObject({ type: 'refusal', tool: 'conversation', reason: 'expired' });
      expect(resentTurn!.response).toMatchObject({
        conversationId: owned.conversationId,
        reply: { type: 'answer', tool: 'my-orders' },
      });
      const stored = await storedHistory(harness, owned.conversationId, 'alice');
      expect(stored.map((message) => message.role)).toEqual(['visitor', 'assistant', 'visitor', 'assistant']);
      expect(chatRequests(harness, mark)).toHaveLength(3);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
