// Popup sign-in under Cross-Origin-Opener-Policy (issue 12), in Chromium against the demo's real
// servers with real COOP headers: the popup loses window.opener, the sign-in page hands the token to
// the chat backend's relay, and the widget collects it with its secret. Each test checks what the
// backend received.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_PATHS } from '../../../src/protocol/signin.js';
import {
  BALANCE_QUESTION,
  ask,
  chatRequests,
  newShopContext,
  openChat,
  signInOnForm,
  startHarness,
  waitForConversationText,
  waitForWidgetEvent,
  widgetEvents,
  type Harness,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ relayRateLimit: 10_000 });
});
afterAll(async () => {
  await harness?.close();
});
afterEach(() => {
  harness.demo.setSignInCoop(null);
});

/** The relay requests the backend received since `mark`, by path (preflights excluded). */
export function relayRequests(mark: number): Array<{ path: string; origin: string | null }> {
  return harness.demo.requests
    .slice(mark)
    .filter((request) => request.method === 'POST' && request.path.startsWith('/v1/signin-relay/'))
    .map((request) => ({ path: request.path, origin: request.origin }));
}

async function openShopWith(search: string): Promise<{ context: BrowserContext; page: Page; errors: Error[]; mark: number; coop: string | undefined }> {
  const { context, errors } = await newShopContext(harness);
  const page = await context.newPage();
  const mark = harness.demo.requests.length;
  const response = await page.goto(`${harness.demo.siteUrl}${search}`);
  await waitForWidgetEvent(page, 'ready');
  await openChat(page);
  return { context, page, errors, mark, coop: response?.headers()['cross-origin-opener-policy'] };
}

/** Asks for the balance and returns the sign-in window, however Chromium groups it. */
async function askAndCatchWindow(context: BrowserContext, page: Page): Promise<Page> {
  const opened = context.waitForEvent('page');
  await ask(page, BALANCE_QUESTION);
  const popup = await opened;
  await popup.waitForLoadState('domcontentloaded');
  await popup.locator('#username').waitFor();
  return popup;
}

describe('COOP same-origin on the sign-in page (the Helmet and Django default)', () => {
  it('completes through the relay and answers the refused message by itself', async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('');
    try {
      const popup = await askAndCatchWindow(context, page);
      expect(new URL(popup.url()).origin).toBe(harness.demo.signInOrigin);
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);
      await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, '$1,284.50');
      await waitForWidgetEvent(page, 'signin-complete');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
      const relay = relayRequests(mark);
      expect(relay.map((r) => r.path)).toEqual(expect.arrayContaining([RELAY_PATHS.register, RELAY_PATHS.announce, RELAY_PATHS.deliver, RELAY_PATHS.collect]));
      expect(relay.filter((r) => r.path === RELAY_PATHS.deliver).map((r) => r.origin)).toEqual([harness.demo.signInOrigin]);
      expect(await widgetEvents(page)).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
