// Popup sign-in under Cross-Origin-Opener-Policy (issue 12), in Chromium against the demo's real
// servers with real COOP headers: the popup loses window.opener, the sign-in page hands the token to
// the chat backend's relay, and the widget collects it with its secret. Each test checks what the
// backend received.
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_PATHS } from '../../../src/protocol/signin.js';
import {
  BALANCE_QUESTION,
  SIGN_IN_BUTTON,
  ask,
  chatRequests,
  conversation,
  demoUser,
  recordWidgetPayloads,
  widgetPayloads,
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

describe('COOP same-origin on the page with the widget', () => {
  it('completes through the relay although the popup reads closed at once', async () => {
    const { context, page, errors, mark, coop } = await openShopWith('?coop=same-origin');
    try {
      expect(coop).toBe('same-origin');
      const popup = await askAndCatchWindow(context, page);
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);
      await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
      // The visitor is still signing in: the widget waits with its own Cancel control, not signin-cancelled.
      await conversation(page).getByRole('button', { name: 'Cancel' }).waitFor();
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'bob');
      await closed;
      await waitForConversationText(page, '$42.00');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'bob']);
      expect(relayRequests(mark).filter((r) => r.path === RELAY_PATHS.deliver)).toHaveLength(1);
      expect(await widgetEvents(page)).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('both pages with COOP same-origin: completes', async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('?coop=same-origin');
    try {
      const popup = await askAndCatchWindow(context, page);
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'carol');
      await closed;
      await waitForConversationText(page, '$0.00');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'carol']);
      expect(await widgetEvents(page)).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('a sign-in page on the widget\'s own origin', () => {
  it('delivers over BroadcastChannel when COOP cut the opener, without the backend', async () => {
    const { context, page, errors, mark } = await openShopWith('?coop=same-origin&signInUrl=same-origin');
    try {
      const popup = await askAndCatchWindow(context, page);
      expect(new URL(popup.url()).origin).toBe(harness.demo.siteOrigin);
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, '$1,284.50');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
      // The relay refuses a page off the configured Sign-in URL's origin: BroadcastChannel carried it.
      expect(relayRequests(mark).filter((r) => r.path === RELAY_PATHS.collect).length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the race: a sign-in page that signs in at once (a session cookie)', () => {
  it("posts before the widget has registered; the helper's retry carries it", async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('');
    try {
      // A first sign-in with "Keep me signed in" leaves the session cookie.
      const first = await askAndCatchWindow(context, page);
      await first.locator('#remember').check();
      const firstClosed = first.waitForEvent('close');
      await signInOnForm(first, 'alice');
      await firstClosed;
      await waitForConversationText(page, '$1,284.50');
      await page.evaluate(() => (window as unknown as { ChatWidget: { logout(): void } }).ChatWidget.logout());

      // The widget's registration is held back until the sign-in page has posted its token once.
      let releaseRegister!: () => void;
      const delivered = new Promise<void>((resolve) => (releaseRegister = resolve));
      await page.route(`**${RELAY_PATHS.register}`, async (route) => {
        await delivered;
        await route.continue();
      });
      const deliverMark = harness.demo.requests.length;
      const opened = context.waitForEvent('page');
      await ask(page, BALANCE_QUESTION);
      const popup = await opened;
      const closed = popup.waitForEvent('close');
      const deadline = Date.now() + 15_000;
      while (!relayRequests(deliverMark).some((r) => r.path === RELAY_PATHS.deliver)) {
        if (Date.now() > deadline) throw new Error('The sign-in page never posted to the relay.');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const firstDeliver = relayRequests(deliverMark).findIndex((r) => r.path === RELAY_PATHS.deliver);
      expect(relayRequests(deliverMark).findIndex((r) => r.path === RELAY_PATHS.register)).toBe(-1);
      releaseRegister();
      await closed;
      // logout() started a fresh conversation: this answer is the second sign-in's.
      await waitForConversationText(page, '$1,284.50');
      const after = relayRequests(deliverMark).map((r) => r.path);
      expect(after.indexOf(RELAY_PATHS.register)).toBeGreaterThan(firstDeliver);
      expect(after.filter((path) => path === RELAY_PATHS.deliver).length).toBeGreaterThan(1);
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice', null, 'alice']);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('no premature signin-cancelled under COOP, and the Cancel control', () => {
  it('a cut-off popup keeps the sign-in pending until the timeout, which signin-cancelled names', async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('?signInTimeoutMs=9000');
    try {
      await recordWidgetPayloads(page);
      const popup = await askAndCatchWindow(context, page);
      await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
      await waitForWidgetEvent(page, 'signin-cancelled');
      expect(await widgetPayloads(page, 'signin-cancelled')).toEqual([{ reason: 'timeout' }]);
      // The transaction is gone: a sign-in now is refused by the relay, and the page says what to do.
      await signInOnForm(popup, 'alice');
      await popup.locator('body[data-result="relay-refused"]').waitFor({ state: 'attached' });
      expect(chatRequests(harness, mark).every((request) => !request.authorization)).toBe(true);
      expect(relayRequests(mark).map((r) => r.path)).toContain(RELAY_PATHS.cancel);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the Cancel control ends it: signin-cancelled { reason: dismissed }, the relay transaction is cancelled', async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('');
    try {
      await recordWidgetPayloads(page);
      const popup = await askAndCatchWindow(context, page);
      await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
      await conversation(page).getByRole('button', { name: 'Cancel' }).click();
      await waitForWidgetEvent(page, 'signin-cancelled');
      expect(await widgetPayloads(page, 'signin-cancelled')).toEqual([{ reason: 'dismissed' }]);
      await conversation(page).getByRole('button', { name: SIGN_IN_BUTTON }).waitFor();
      await signInOnForm(popup, 'alice');
      await popup.locator('body[data-result="relay-refused"]').waitFor({ state: 'attached' });
      expect(await widgetEvents(page)).not.toContain('identify');
      expect(relayRequests(mark).map((r) => r.path)).toContain(RELAY_PATHS.cancel);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('logout() and destroy() end a relay sign-in', () => {
  it.each(['logout', 'destroy'] as const)('%s() cancels the relay transaction: a sign-in after it reaches nobody', async (method) => {
    harness.demo.setSignInCoop('same-origin');
    const { context, page, errors, mark } = await openShopWith('');
    try {
      const popup = await askAndCatchWindow(context, page);
      await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
      await page.evaluate((name) => (window as unknown as { ChatWidget: Record<'logout' | 'destroy', () => void> }).ChatWidget[name](), method);
      await expect.poll(() => relayRequests(mark).map((r) => r.path)).toContain(RELAY_PATHS.cancel);
      await signInOnForm(popup, 'alice');
      await popup.locator('body[data-result="relay-refused"]').waitFor({ state: 'attached' });
      expect(await widgetEvents(page)).not.toContain('identify');
      expect(chatRequests(harness, mark).every((request) => !request.authorization)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('without COOP the postMessage path is unchanged', () => {
  it('completes by postMessage; the relay delivers nothing, and the widget cancels its transaction', async () => {
    const { context, page, errors, mark } = await openShopWith('');
    try {
      const popup = await askAndCatchWindow(context, page);
      expect(await popup.evaluate(() => window.opener !== null)).toBe(true);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, '$1,284.50');
      expect(await popup.evaluate(() => 0).catch(() => 'closed')).toBe('closed');
      const paths = relayRequests(mark).map((r) => r.path);
      expect(paths).not.toContain(RELAY_PATHS.deliver);
      expect(paths).not.toContain(RELAY_PATHS.announce);
      await expect.poll(() => relayRequests(mark).map((r) => r.path)).toContain(RELAY_PATHS.cancel);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('every COOP combination of the two pages completes', () => {
  const SHOP = ['', 'same-origin', 'same-origin-allow-popups', 'unsafe-none'] as const;
  const SIGN_IN = [null, 'same-origin', 'same-origin-allow-popups', 'unsafe-none'] as const;
  const combos = SHOP.flatMap((shop) => SIGN_IN.map((signIn) => [shop, signIn] as const));
  it.each(combos)('shop COOP %j, sign-in page COOP %j', async (shop, signIn) => {
    harness.demo.setSignInCoop(signIn);
    const { context, page, errors, mark, coop } = await openShopWith(shop ? `?coop=${shop}` : '');
    try {
      expect(coop).toBe(shop || undefined);
      const popup = await askAndCatchWindow(context, page);
      const openerCut = await popup.evaluate(() => window.opener === null);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, '$1,284.50');
      expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
      const delivered = relayRequests(mark).some((r) => r.path === RELAY_PATHS.deliver);
      // The relay is used exactly when the browser cut window.opener.
      expect(delivered).toBe(openerCut);
      expect(await widgetEvents(page)).not.toContain('signin-cancelled');
      expect(errors).toEqual([]);
      // What Chromium does (docs/coop.md): the shop's same-origin, or the sign-in page's same-origin or
      // same-origin-allow-popups, cuts window.opener; nothing else does.
      expect(openerCut).toBe(shop === 'same-origin' || signIn === 'same-origin' || signIn === 'same-origin-allow-popups');
    } finally {
      await context.close();
    }
  });
});
