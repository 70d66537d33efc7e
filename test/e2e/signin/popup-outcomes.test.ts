// When the popup cannot open by itself, and when the visitor closes it.
// Playwright's Chromium runs without a popup blocker, so "blocked" is produced the two
// ways a real browser produces it: window.open returning null, and the refusal
// arriving when the page no longer has user activation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BALANCE_QUESTION,
  PUBLIC_QUESTION,
  SIGN_IN_BUTTON,
  ask,
  askAndCatchPopup,
  chatRequests,
  conversation,
  openChat,
  openShop,
  signInButton,
  signInOnForm,
  startHarness,
  waitForChatRequests,
  waitForConversationText,
  waitForWidgetEvent,
  widgetEvents,
  newShopContext,
  waitForConversationText as waitForText,
  widgetRequests,
  type Harness,
  type ShopPage,
  withoutUserActivation,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

/** The refused question offered a button; a click on it opens the popup and completes the flow. */
async function completeWithButton({ page, context, mark, errors }: ShopPage): Promise<void> {
  await waitForWidgetEvent(page, 'signin-blocked');
  const popupPromise = page.waitForEvent('popup');
  await signInButton(page).click();
  const popup = await popupPromise;
  await popup.waitForLoadState('domcontentloaded');
  expect(new URL(popup.url()).origin).toBe(harness.demo.signInOrigin);
  const closed = popup.waitForEvent('close');
  await signInOnForm(popup, 'bob');
  await closed;
  await waitForConversationText(page, '$42.00');
  await waitForWidgetEvent(page, 'signin-complete');
  const chats = chatRequests(harness, mark);
  expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
    [false, null],
    [true, 'bob'],
  ]);
  expect(context.pages()).toHaveLength(1);
  expect(errors).toEqual([]);
}

describe('popup sign-in when the popup cannot open by itself', () => {
  it('window.open returns null: the button appears, signin-blocked fires, a click completes the flow', async () => {
    const shop = await openShop(harness, () => {
      // The browser's popup blocker refuses the widget's first window.open.
      const realOpen = window.open.bind(window);
      let calls = 0;
      window.open = (...args: Parameters<typeof window.open>) => (calls++ === 0 ? null : realOpen(...args));
    });
    try {
      await openChat(shop.page);
      await ask(shop.page, BALANCE_QUESTION);
      await signInButton(shop.page).waitFor();
      await completeWithButton(shop);
    } finally {
      await shop.context.close();
    }
  });

  it('no user activation when the refusal arrives: no popup, the button, signin-blocked, a click completes the flow', async () => {
    const shop = await openShop(harness, withoutUserActivation);
    try {
      await openChat(shop.page);
      await ask(shop.page, BALANCE_QUESTION);
      await signInButton(shop.page).waitFor();
      expect(shop.context.pages()).toHaveLength(1);
      await completeWithButton(shop);
    } finally {
      await shop.context.close();
    }
  });
});

describe('the visitor closes the popup', () => {
  it('emits signin-cancelled, says so, and sets no token', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      await popup.close();

      await waitForWidgetEvent(page, 'signin-cancelled');
      await waitForConversationText(page, /cancelled/i);
      // The visitor can still start over from the conversation.
      await expect(conversation(page).getByRole('button', { name: SIGN_IN_BUTTON }).count()).resolves.toBeGreaterThanOrEqual(1);

      await ask(page, PUBLIC_QUESTION);
      await waitForChatRequests(harness, mark, 2);
      for (const request of widgetRequests(harness, mark)) expect(request.authorization).toBe(false);
      const events = await widgetEvents(page);
      expect(events).not.toContain('identify');
      expect(events).not.toContain('signin-complete');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('Cross-Origin-Opener-Policy on the page with the widget (docs/coop.md)', () => {
  async function openShopWithCoop(coop: string) {
    const { context, errors } = await newShopContext(harness);
    const page = await context.newPage();
    const mark = harness.demo.requests.length;
    const response = await page.goto(`${harness.demo.siteUrl}?coop=${coop}`);
    expect(response?.headers()['cross-origin-opener-policy']).toBe(coop);
    await waitForWidgetEvent(page, 'ready');
    await openChat(page);
    return { context, errors, page, mark };
  }

  it('same-origin cuts window.opener, yet the sign-in completes through the relay, with no signin-cancelled', async () => {
    const { context, errors, page, mark } = await openShopWithCoop('same-origin');
    try {
      // The popup is in another browsing-context group: Playwright sees it as a new page, not a popup event.
      const popupPromise = context.waitForEvent('page');
      await ask(page, BALANCE_QUESTION);
      const popup = await popupPromise;
      await popup.waitForLoadState('domcontentloaded');
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);

      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForText(page, '$1,284.50');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
      expect(await widgetEvents(page)).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('same-origin-allow-popups keeps the link: the flow completes', async () => {
    const { context, errors, page, mark } = await openShopWithCoop('same-origin-allow-popups');
    try {
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForText(page, '$1,284.50');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('one popup at a time', () => {
  it('the button while the popup is open focuses it instead of opening a second one', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const pagesOpened: unknown[] = [];
      context.on('page', (opened) => pagesOpened.push(opened));
      await signInButton(page).click();
      await signInButton(page).click();
      expect(context.pages()).toHaveLength(2);

      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'carol');
      await closed;
      await waitForText(page, '$0.00');
      expect(pagesOpened).toHaveLength(0);
      // SPEC §2.6: the refused message is re-sent once, however often the button was pressed.
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'carol']);
      expect((await widgetEvents(page)).filter((name) => name === 'signin-complete')).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
