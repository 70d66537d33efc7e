// Tokens over time: an expired token with a working and a failing refresh provider,
// HMAC mode end to end, and key rotation cured by the backend's Refresh JWKS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STRINGS } from '../../../src/widget/strings.js';
import {
  BALANCE_QUESTION,
  ask,
  askAndCatchPopup,
  chatRequests,
  demoUser,
  identifyInPage,
  openChat,
  openShop,
  refreshCalls,
  signInButton,
  signInOnForm,
  startHarness,
  waitForChatRequests,
  waitForConversationText,
  waitForWidgetEvent,
  widgetRequests,
  withoutUserActivation,
  type Harness,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  // A long unknown-kid cooldown: after a re-pull the backend keeps its key set, so a
  // rotated key stays unknown until Refresh JWKS (deterministic, no waiting).
  harness = await startHarness({ verifierDeps: { unknownKidCooldownMs: 600_000 } });
});
afterAll(async () => {
  await harness?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('an expired token and the refresh provider', () => {
  it('with a working provider: refreshed, answered, no popup', async () => {
    const { context, page, errors, mark } = await openShop(harness);
    const popups: unknown[] = [];
    page.on('popup', (popup) => popups.push(popup));
    try {
      await identifyInPage(page, 'carol', 'expired', 'working');
      await openChat(page);
      await ask(page, BALANCE_QUESTION);
      await waitForConversationText(page, '$0.00');

      expect(await refreshCalls(page)).toBeGreaterThanOrEqual(1);
      expect(popups).toHaveLength(0);
      expect(context.pages()).toHaveLength(1);
      const chats = chatRequests(harness, mark);
      const answered = chats.at(-1)!;
      expect(answered).toMatchObject({ authorization: true, sub: 'carol' });
      expect(answered.exp!).toBeGreaterThan(nowSeconds());
      // Whatever reached the backend before the refresh carried carol's (expired) token, never nothing.
      for (const request of chats) expect([request.authorization, request.sub]).toEqual([true, 'carol']);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('with a failing provider: the sign-in button, and signing in completes', async () => {
    const { context, page, errors, mark } = await openShop(harness, withoutUserActivation);
    try {
      await identifyInPage(page, 'carol', 'expired', 'failing');
      await openChat(page);
      await ask(page, BALANCE_QUESTION);
      await signInButton(page).waitFor();
      expect(await refreshCalls(page)).toBeGreaterThanOrEqual(1);
      expect(context.pages()).toHaveLength(1);
      await expect(page.getByRole('log').getByText('$0.00').count()).resolves.toBe(0);
      const refused = chatRequests(harness, mark);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const request of refused) expect(request.exp === null || request.exp < nowSeconds()).toBe(true);

      const popupPromise = page.waitForEvent('popup');
      await signInButton(page).click();
      const popup = await popupPromise;
      await popup.waitForLoadState('domcontentloaded');
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'carol');
      await closed;
      await waitForConversationText(page, '$0.00');
      const answered = chatRequests(harness, mark).at(-1)!;
      expect(answered).toMatchObject({ authorization: true, sub: 'carol' });
      expect(answered.exp!).toBeGreaterThan(nowSeconds());
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('HMAC mode end to end', () => {
  it("the shop's switch generates a secret, saves HMAC mode, and a popup sign-in signed HS256 is answered", async () => {
    const { context, page, errors, mark } = await openShop(harness);
    try {
      await page.getByRole('button', { name: 'Switch to HMAC (generate a secret)' }).click();
      await page.locator('#mode-status', { hasText: 'HMAC' }).waitFor();
      const config = await harness.demo.admin.getConfig();
      expect(config).toMatchObject({ mode: 'hmac', hmacSecretSet: true });
      expect(JSON.stringify(config)).not.toMatch(/"hmacSecret"/);

      await openChat(page);
      const popup = await askAndCatchPopup(page, BALANCE_QUESTION);
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'bob');
      await closed;
      await waitForConversationText(page, '$42.00');

      const chats = await waitForChatRequests(harness, mark, 2);
      expect(chats.map((request) => [request.authorization, request.sub, request.alg])).toEqual([
        [false, null, null],
        [true, 'bob', 'HS256'],
      ]);
      expect(errors).toEqual([]);
    } finally {
      await harness.demo.admin.switchToJwks();
      await context.close();
    }
  });
});

describe('key rotation', () => {
  it('after the identity provider rotates its key, Refresh JWKS makes the new token verify', async () => {
    const { demo } = harness;
    // A token from a key the JWKS never published makes the backend re-pull once and
    // start its (long) cooldown.
    const stranger = await demo.admin.testToken(await demo.idp.tokenFor(demoUser('alice'), 'unknown-key'));
    expect(stranger).toMatchObject({ ok: false, reason: 'bad-signature' });

    const { context, page, errors, mark } = await openShop(harness, withoutUserActivation);
    try {
      const oldKid = demo.idp.kid;
      await page.getByRole('button', { name: "Rotate the identity provider's key" }).click();
      await page.locator('#admin-result', { hasText: 'now signs with key' }).waitFor();
      expect(demo.idp.kid).not.toBe(oldKid);
      expect(demo.idp.jwks().keys.map((key) => (key as { kid: string }).kid)).toEqual([demo.idp.kid, oldKid]);

      // The backend still holds the old key set: the new key's token is refused.
      const rotated = await demo.idp.tokenFor(demoUser('alice'));
      expect(await demo.admin.testToken(rotated)).toMatchObject({ ok: false, reason: 'bad-signature' });
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForWidgetEvent(page, 'identify');
      await openChat(page);
      await ask(page, BALANCE_QUESTION);
      await signInButton(page).waitFor();
      const refused = chatRequests(harness, mark);
      expect(refused.at(-1)).toMatchObject({ authorization: true, sub: 'alice', kid: demo.idp.kid });

      // The Test card's "Refresh JWKS + verify".
      await page.getByRole('button', { name: 'Refresh JWKS + verify' }).click();
      await page.locator('#admin-result', { hasText: 'verifies as alice' }).waitFor();
      expect(await demo.admin.testToken(rotated)).toMatchObject({ ok: true, identity: { userId: 'alice' } });

      const before = demo.requests.length;
      await ask(page, BALANCE_QUESTION);
      await waitForConversationText(page, '$1,284.50');
      const answered = chatRequests(harness, before);
      expect(answered.at(-1)).toMatchObject({ authorization: true, sub: 'alice', kid: demo.idp.kid });
      for (const request of widgetRequests(harness, before)) expect(request.authorization).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the shop's failure buttons", () => {
  const cases = [
    { button: 'Expired token', reason: 'expired', curable: true },
    { button: 'Token from an unknown key', reason: 'bad-signature', curable: true },
    { button: 'Malformed token', reason: 'malformed-token', curable: false },
    { button: 'Token without sub', reason: 'bad-claim', curable: false },
  ] as const;
  for (const { button, reason, curable } of cases) {
    it(`${button}: the backend refuses it with ${reason} and the widget ${curable ? 'offers sign-in' : 'explains, with no sign-in'}`, async () => {
      const { context, page, errors, mark } = await openShop(harness, withoutUserActivation);
      try {
        await page.getByRole('button', { name: button, exact: true }).click();
        await waitForWidgetEvent(page, 'identify');
        await openChat(page);
        await ask(page, BALANCE_QUESTION);
        await waitForConversationText(page, DEFAULT_STRINGS.reasons[reason]);
        if (curable) {
          await signInButton(page).waitFor();
          await waitForWidgetEvent(page, 'signin-blocked');
        } else {
          await expect(signInButton(page).count()).resolves.toBe(0);
        }
        const [refused] = chatRequests(harness, mark);
        expect(refused).toMatchObject({ authorization: true });
        await expect(page.getByRole('log').getByText('$1,284.50').count()).resolves.toBe(0);
        expect(context.pages()).toHaveLength(1);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
