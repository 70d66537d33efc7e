// The popup sign-in flow end to end in Chromium: the demo's shop on 127.0.0.1, the
// sign-in site on localhost (another host name), the reference backend. Each test
// checks what the backend received, not only what the page shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BALANCE_QUESTION,
  PUBLIC_QUESTION,
  ask,
  askAndCatchPopup,
  chatRequests,
  openChat,
  openShop,
  signInButton,
  signInOnForm,
  startHarness,
  waitForChatRequests,
  waitForConversationText,
  waitForWidgetEvent,
  widgetEvents,
  widgetRequests,
  type Harness,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

describe('popup sign-in, happy path', () => {
  it('answers a public question without a popup, then signs in through the popup and re-sends the balance question by itself', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await openChat(page);

      await ask(page, PUBLIC_QUESTION);
      await waitForConversationText(page, /open|hours/i);
      await waitForChatRequests(harness, mark, 1);
      expect(context.pages()).toHaveLength(1);

      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const popupUrl = new URL(popup.url());
      expect(popupUrl.origin).toBe(harness.demo.signInOrigin);
      expect(popupUrl.origin).not.toBe(new URL(harness.demo.siteUrl).origin);
      expect(popupUrl.searchParams.get('quincer_state')).toMatch(/^[A-Za-z0-9_-]{22,}$/);

      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;

      await waitForConversationText(page, '$1,284.50');
      await waitForWidgetEvent(page, 'signin-complete');

      // public (anonymous), balance (anonymous, refused), the same balance question re-sent with alice's token.
      const chats = await waitForChatRequests(harness, mark, 3);
      expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
        [false, null],
        [false, null],
        [true, 'alice'],
      ]);
      // The visitor typed the balance question once; the widget re-sent it.
      await expect(page.getByRole('log').getByText(BALANCE_QUESTION).count()).resolves.toBe(1);

      await ask(page, 'Show my orders');
      await waitForConversationText(page, 'Trail running shoes');
      const after = await waitForChatRequests(harness, mark, 4);
      const resentAt = after[2]!.at;
      const later = widgetRequests(harness, mark).filter((request) => request.at >= resentAt);
      expect(later.length).toBeGreaterThanOrEqual(2);
      for (const request of later) expect([request.path, request.authorization, request.sub]).toEqual([request.path, true, 'alice']);

      const events = await widgetEvents(page);
      expect(events).toContain('identify');
      expect(events).not.toContain('signin-blocked');
      expect(events).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('after logout the next secure request carries no Authorization header and is refused', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForWidgetEvent(page, 'identify');
      await openChat(page);
      await ask(page, BALANCE_QUESTION);
      await waitForConversationText(page, '$1,284.50');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual(['alice']);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await waitForWidgetEvent(page, 'logout');
      const afterLogout = harness.demo.requests.length;

      // Enter grants user activation, so the widget may open the popup by itself; either
      // way the refusal must be offered as sign-in.
      const offered = Promise.race([
        page.waitForEvent('popup').then((popup) => popup),
        signInButton(page).waitFor().then(() => null),
      ]);
      offered.catch(() => {});
      await ask(page, BALANCE_QUESTION);
      const [refused] = await waitForChatRequests(harness, afterLogout, 1);
      expect(refused).toMatchObject({ authorization: false, sub: null });
      const popup = await offered;
      if (popup) {
        await popup.waitForLoadState('domcontentloaded');
        expect(new URL(popup.url()).origin).toBe(harness.demo.signInOrigin);
      }
      for (const request of widgetRequests(harness, afterLogout)) expect(request.authorization).toBe(false);
      await expect(page.getByRole('log').getByText('$1,284.50').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
