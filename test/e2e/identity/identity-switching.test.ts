/**
 * Issue 10 in a real Chromium against the reference backend: whatever the host
 * page does, a visitor never sees another visitor's messages, and a logout in
 * one tab signs the widget out in every tab of the site (same apiUrl).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.js';
import { startBackend, startPageServer, type Backend, type PageServer } from '../widget/servers.js';
import {
  addPage,
  ALICE_BALANCE,
  BOB_BALANCE,
  chatConversationIds,
  events,
  identify,
  logout,
  openPage,
  recordResponses,
  send,
  shownAtChat,
  widgetText,
} from './support.js';

let browser: Browser;
let site: PageServer;
let backend: Backend;
let other: Backend;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startPageServer();
  backend = await startBackend({ allowedOrigins: [site.origin] });
  other = await startBackend({ allowedOrigins: [site.origin] });
  addPage(site, '/shop.html', backend);
  addPage(site, '/session.html', backend, 'session');
  addPage(site, '/other.html', other);
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await other?.close();
  await site?.close();
});

/** POST /v1/chat bodies the context sent to `origin`, in order. */
function chatBodies(context: BrowserContext, origin: string): string[] {
  const bodies: string[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${origin}/v1/chat`) bodies.push(request.postData() ?? '');
  });
  return bodies;
}

async function withContext<T>(run: (context: BrowserContext) => Promise<T>, init?: string): Promise<T> {
  const context = await browser.newContext();
  if (init) await context.addInitScript(init);
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

describe('identify() with another visitor, without logout()', () => {
  it("removes alice's transcript before bob's first message, sends bob's into a new conversation, and the backend never serves alice's history to bob", async () => {
    await withContext(async (context) => {
      const responses = recordResponses(context, backend.origin);
      const bodies = chatBodies(context, backend.url);
      const alice = await backend.token('alice');
      const bob = await backend.token('bob');
      const page = await openPage(context, `${site.url}/shop.html`);
      await identify(page, alice);
      expect(await send(page, "What's my balance?")).toMatchObject({ status: 'answered', reply: { text: ALICE_BALANCE } });
      expect(await widgetText(page)).toContain(ALICE_BALANCE);
      const aliceConversation = chatConversationIds(bodies)[0];
      expect(aliceConversation).toBeNull();

      // The host page forgets logout(): identify bob, and bob asks at once.
      const bobsFirst = page.evaluate((token) => {
        const widget = (window as unknown as { ChatWidget: { identify(i: { token: string }): void; send(t: string): Promise<{ status: string; reply?: { text: string } }> } }).ChatWidget;
        widget.identify({ token });
        return widget.send("What's my balance?");
      }, bob);
      expect(await bobsFirst).toMatchObject({ status: 'answered', reply: { text: BOB_BALANCE } });

      // When bob's message left, alice's balance was no longer in the widget's DOM.
      const shown = await shownAtChat(page);
      expect(shown).toHaveLength(2);
      expect(shown[1]).toContain("What's my balance?");
      expect(shown[1]).not.toContain(ALICE_BALANCE);
      expect(await widgetText(page)).not.toContain(ALICE_BALANCE);
      expect(await widgetText(page)).toContain(BOB_BALANCE);
      expect(await events(page)).toContainEqual(['conversation-reset', { reason: 'identity-changed' }]);

      // Bob's message started a new conversation: no conversationId on the wire.
      expect(chatConversationIds(bodies)).toEqual([null, null]);
      const chats = backend.chatRequests().slice(-2);
      expect(chats.map((r) => r.authorization)).toEqual([`Bearer ${alice}`, `Bearer ${bob}`]);

      // The widget asked with bob's token, and the backend said no: no history was served to bob.
      await expect.poll(() => responses.filter((r) => r.url.includes('/v1/conversations/')).length, { timeout: 15_000 }).toBeGreaterThan(0);
      const bobHistory = responses.filter((r) => r.url.includes('/v1/conversations/') && r.authorization === `Bearer ${bob}`);
      expect(bobHistory.length).toBeGreaterThan(0);
      expect(bobHistory.every((r) => r.status === 404)).toBe(true);
      expect(responses.filter((r) => r.status === 200 && r.url.includes('/v1/conversations/') && r.authorization !== `Bearer ${alice}`)).toEqual([]);
    });
  });

  it('the same visitor with a new token keeps the conversation, unchanged', async () => {
    await withContext(async (context) => {
      const bodies = chatBodies(context, backend.url);
      const page = await openPage(context, `${site.url}/shop.html`);
      await identify(page, await backend.token('alice'));
      await send(page, "What's my balance?");
      // A server-rendered page hands out a fresh token on every load.
      await identify(page, await backend.token('alice'));
      expect(await send(page, 'Show my orders')).toMatchObject({ status: 'answered' });
      const ids = chatConversationIds(bodies);
      expect(ids[0]).toBeNull();
      expect(ids[1]).toEqual(expect.any(String));
      expect(await widgetText(page)).toContain(ALICE_BALANCE);
      expect((await events(page)).filter(([name]) => name === 'conversation-reset')).toEqual([]);
    });
  });

  it('an anonymous conversation followed by sign-in stays the same conversation', async () => {
    await withContext(async (context) => {
      const bodies = chatBodies(context, backend.url);
      const page = await openPage(context, `${site.url}/shop.html`);
      expect(await send(page, 'What are your business hours?')).toMatchObject({ status: 'answered' });
      await identify(page, await backend.token('alice'));
      expect(await send(page, "What's my balance?")).toMatchObject({ status: 'answered', reply: { text: ALICE_BALANCE } });
      const [first, second] = chatConversationIds(bodies);
      expect(first).toBeNull();
      // The first reply's conversation id went out with the signed-in message.
      expect(second).toEqual(expect.any(String));
      expect(await widgetText(page)).toMatch(/We're open Monday to Friday/);
      expect((await events(page)).filter(([name]) => name === 'conversation-reset')).toEqual([]);
    });
  });

  it("a refresh from the widget's own provider keeps the conversation and asks the backend nothing about it", async () => {
    await withContext(async (context) => {
      const responses = recordResponses(context, backend.origin);
      const bodies = chatBodies(context, backend.url);
      const page = await openPage(context, `${site.url}/shop.html`);
      // exp 36 s ahead: the widget refreshes 30 s before exp, so 5–6 s from now. (exp is whole seconds:
      // with 31 s the refresh was due within 0–1 s of signing, and a page slower than that under load
      // had already passed it, so nothing was scheduled.)
      const first = await backend.jwks.sign({ sub: 'alice' }, { expiresIn: 36 });
      const fresh = await backend.token('alice');
      await page.evaluate(
        ({ first, fresh }) =>
          (window as unknown as { ChatWidget: { identify(i: { token: string; refresh: () => Promise<string> }): void } }).ChatWidget.identify({
            token: first,
            refresh: async () => fresh,
          }),
        { first, fresh },
      );
      await send(page, "What's my balance?");
      await expect.poll(async () => (await events(page)).some(([name, detail]) => name === 'identify' && (detail as { source: string }).source === 'refresh'), { timeout: 15_000 }).toBe(true);
      expect(await send(page, 'Show my orders')).toMatchObject({ status: 'answered' });
      const ids = chatConversationIds(bodies);
      expect(ids[1]).toEqual(expect.any(String));
      expect(backend.chatRequests().at(-1)!.authorization).toBe(`Bearer ${fresh}`);
      expect(await widgetText(page)).toContain(ALICE_BALANCE);
      expect(responses.filter((r) => r.url.includes('/v1/conversations/'))).toEqual([]);
    });
  });
});

describe('across tabs', () => {
  for (const channel of ['BroadcastChannel', 'the storage event'] as const) {
    it(`logout() in one tab forgets the token and the conversation in the other (${channel})`, async () => {
      const init = channel === 'the storage event' ? 'delete window.BroadcastChannel;' : undefined;
      await withContext(async (context) => {
        const alice = await backend.token('alice');
        const one = await openPage(context, `${site.url}/shop.html`);
        const two = await openPage(context, `${site.url}/shop.html`);
        expect(await one.evaluate(() => typeof BroadcastChannel)).toBe(channel === 'BroadcastChannel' ? 'function' : 'undefined');
        for (const page of [one, two]) {
          await identify(page, alice);
          expect(await send(page, "What's my balance?")).toMatchObject({ status: 'answered', reply: { text: ALICE_BALANCE } });
        }
        await logout(one);
        await expect.poll(async () => (await events(two)).some(([name]) => name === 'logout'), { timeout: 15_000 }).toBe(true);
        expect((await events(two)).filter(([name]) => name === 'logout')).toEqual([['logout', { source: 'other-tab' }]]);
        expect((await events(one)).filter(([name]) => name === 'logout')).toEqual([['logout', { source: 'local' }]]);
        expect(await widgetText(two)).not.toContain(ALICE_BALANCE);
        expect(await two.evaluate(() => (window as unknown as { ChatWidget: { widget: { isIdentified: boolean } } }).ChatWidget.widget.isIdentified)).toBe(false);

        const before = backend.chatRequests().length;
        expect(await send(two, "What's my balance?")).toMatchObject({ status: 'refused' });
        const next = backend.chatRequests().slice(before);
        expect(next).toHaveLength(1);
        expect(next[0]!.authorization).toBeNull();
        // Nothing of the signal stayed behind in localStorage.
        expect(await two.evaluate(() => localStorage.length)).toBe(0);
      }, init);
    });
  }

  it('an identity switch in one tab clears another tab that shows the same conversation', async () => {
    await withContext(async (context) => {
      const alice = await backend.token('alice');
      const one = await openPage(context, `${site.url}/session.html`);
      await identify(one, alice);
      await send(one, "What's my balance?");
      // A tab opened from this one copies its sessionStorage: the same token and conversation.
      const [two] = await Promise.all([
        context.waitForEvent('page'),
        one.evaluate((url) => void window.open(url), `${site.url}/session.html`),
      ]);
      await two!.locator('.launcher').waitFor();
      await expect.poll(() => widgetText(two!), { timeout: 15_000 }).toContain(ALICE_BALANCE);

      await identify(one, await backend.token('bob'));
      await expect.poll(async () => (await events(two!)).some(([name]) => name === 'conversation-reset'), { timeout: 15_000 }).toBe(true);
      expect(await widgetText(two!)).not.toContain(ALICE_BALANCE);
      expect(await two!.evaluate(() => sessionStorage.getItem('quincer-chat-widget:conversation'))).toBeNull();
    });
  });

  it('widgets with different apiUrls do not affect each other', async () => {
    await withContext(async (context) => {
      const shop = await openPage(context, `${site.url}/shop.html`);
      const sameApi = await openPage(context, `${site.url}/shop.html`);
      const otherApi = await openPage(context, `${site.url}/other.html`);
      await identify(shop, await backend.token('alice'));
      await identify(sameApi, await backend.token('alice'));
      const otherToken = await other.token('alice');
      await identify(otherApi, otherToken);
      expect(await send(otherApi, "What's my balance?")).toMatchObject({ reply: { text: ALICE_BALANCE } });

      await logout(shop);
      // Once the tab on the same apiUrl has heard it, the other one would have too.
      await expect.poll(async () => (await events(sameApi)).some(([name]) => name === 'logout'), { timeout: 15_000 }).toBe(true);
      expect((await events(otherApi)).filter(([name]) => name === 'logout')).toEqual([]);
      expect(await widgetText(otherApi)).toContain(ALICE_BALANCE);
      const before = other.chatRequests().length;
      expect(await send(otherApi, 'Show my orders')).toMatchObject({ status: 'answered' });
      expect(other.chatRequests().slice(before).map((r) => r.authorization)).toEqual([`Bearer ${otherToken}`]);
    });
  });
});
