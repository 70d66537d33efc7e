// No other window, origin or message can slip a token into the widget (SPEC §2.6).
// Each test posts a VALID token for bob from a hostile sender while a real sign-in is
// pending, then alice signs in through the real popup: the backend must see alice's
// token on the re-sent request and never bob's, and the page must throw nothing.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BALANCE_QUESTION,
  askAndCatchPopup,
  demoUser,
  newShopContext,
  openChat,
  openShop,
  signInOnForm,
  startHarness,
  waitForChatRequests,
  waitForConversationText,
  waitForMessagesFrom,
  waitForWidgetEvent,
  widgetEvents,
  type Harness,
} from './support.js';

const EVIL_ORIGIN = 'http://evil.test';
const IDENTIFY = 'quincer-identify';

let harness: Harness;
let bobToken: string;
beforeAll(async () => {
  harness = await startHarness();
  bobToken = await harness.demo.idp.tokenFor(demoUser('bob'));
});
afterAll(async () => {
  await harness?.close();
});

/** Nothing was accepted: no identify, and the backend has seen no token at all. */
async function expectNothingAccepted(page: Page, mark: number): Promise<void> {
  expect(await widgetEvents(page)).not.toContain('identify');
  for (const request of harness.demo.requests.slice(mark)) expect(request.authorization).toBe(false);
}

/** alice signs in through the real popup; the refused question is re-sent with her token. */
async function finishAsAlice(page: Page, popup: Page, mark: number): Promise<void> {
  const closed = popup.waitForEvent('close');
  await signInOnForm(popup, 'alice');
  await closed;
  await waitForConversationText(page, '$1,284.50');
  await waitForWidgetEvent(page, 'signin-complete');
  const chats = await waitForChatRequests(harness, mark, 2);
  expect(chats.map((request) => [request.authorization, request.sub])).toEqual([
    [false, null],
    [true, 'alice'],
  ]);
  expect(harness.demo.requests.slice(mark).some((request) => request.sub === 'bob')).toBe(false);
}

describe('hostile senders are ignored', () => {
  it('a page on a third origin: posting to the widget window, and opening the Sign-in URL itself', async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      await context.route(`${EVIL_ORIGIN}/**`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Evil</title><p>A third origin.</p>' }),
      );
      const evil = await context.newPage();
      await evil.goto(`${EVIL_ORIGIN}/`);

      // The evil page opens the shop, so it holds a reference to the widget's window.
      const shopPromise = evil.waitForEvent('popup');
      await evil.evaluate((url) => {
        (window as unknown as { shop: Window | null }).shop = window.open(url, '_blank');
      }, harness.demo.siteUrl);
      const page = await shopPromise;
      await waitForWidgetEvent(page, 'ready');
      const mark = harness.demo.requests.length;
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const state = new URL(popup.url()).searchParams.get('quincer_state');

      // 1. Posted straight to the widget's window, with the right shape and even the right state.
      await evil.evaluate(
        ([token, shopOrigin, pendingState]) => {
          const shop = (window as unknown as { shop: Window }).shop;
          shop.postMessage({ type: 'quincer-identify', token }, shopOrigin!);
          shop.postMessage({ type: 'quincer-identify', token, state: pendingState }, '*');
        },
        [bobToken, harness.demo.siteOrigin, state] as const,
      );
      await waitForMessagesFrom(page, EVIL_ORIGIN, 2);

      // 2. The evil page opens the Sign-in URL itself and bob signs in there. The helper
      //    posts only to the shop's origin; the evil opener is not it, so nothing arrives.
      const evilSignInPromise = evil.waitForEvent('popup');
      await evil.evaluate((url) => {
        window.open(`${url}?quincer_state=guessed`, '_blank');
      }, harness.demo.signInUrl);
      const evilSignIn = await evilSignInPromise;
      await evilSignIn.waitForLoadState('domcontentloaded');
      const evilSignInClosed = evilSignIn.waitForEvent('close');
      await signInOnForm(evilSignIn, 'bob');
      await evilSignInClosed;

      await expectNothingAccepted(page, mark);
      await finishAsAlice(page, popup, mark);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an iframe on the sign-in origin (the right origin, not the popup)', async () => {
    const framePath = '/__e2e-framed-sender';
    const shop = await openShop(harness);
    const { context, page, errors, mark } = shop;
    try {
      await context.route(`${harness.demo.signInOrigin}${framePath}`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><script>parent.postMessage(${JSON.stringify({ type: IDENTIFY, token: bobToken })}, ${JSON.stringify(harness.demo.siteOrigin)});</script>`,
        }),
      );
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);

      await page.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        frame.title = 'hostile frame';
        document.body.append(frame);
      }, `${harness.demo.signInOrigin}${framePath}`);
      await waitForMessagesFrom(page, harness.demo.signInOrigin, 1);

      await expectNothingAccepted(page, mark);
      await finishAsAlice(page, popup, mark);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the popup itself posting a wrong state', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      await popup.evaluate(
        ([token, shopOrigin]) => {
          window.opener.postMessage({ type: 'quincer-identify', token, state: 'not-the-pending-state' }, shopOrigin!);
        },
        [bobToken, harness.demo.siteOrigin] as const,
      );
      await waitForMessagesFrom(page, harness.demo.signInOrigin, 1);

      await expectNothingAccepted(page, mark);
      await finishAsAlice(page, popup, mark);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('malformed payloads from the popup: ignored, no error on the page', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const sent = await popup.evaluate(
        ([token, shopOrigin]) => {
          const payloads: unknown[] = [
            { type: 'quincer-identify', token: 12345 },
            { type: 'quincer-identify', token: { value: token } },
            { type: 'quincer-identify', token: [token] },
            { type: 'quincer-identify', token: null },
            { type: 'quincer-identify' },
            { type: 'quincer-identify', token: 'not a jws' },
            { type: 'quincer-identify', token: `${token}.extra` },
            { type: 'quincer-identify', token: ` ${token}` },
            { type: 'quincer-identify-v2', token },
            { type: 'QUINCER-IDENTIFY', token },
            { token },
            { type: 'quincer-identify', token, state: 42 },
            token,
            JSON.stringify({ type: 'quincer-identify', token }),
            null,
            42,
            [ 'quincer-identify', token ],
            new Blob([token]),
          ];
          for (const payload of payloads) window.opener.postMessage(payload, shopOrigin!);
          return payloads.length;
        },
        [bobToken, harness.demo.siteOrigin] as const,
      );
      await waitForMessagesFrom(page, harness.demo.signInOrigin, sent);

      await expectNothingAccepted(page, mark);
      await finishAsAlice(page, popup, mark);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
