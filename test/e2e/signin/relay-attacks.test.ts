// Attacks on the sign-in relay (issue 12), while a real widget waits on it in Chromium: the sign-in
// page sends COOP same-origin, so the relay is the widget's only way back. Every attack is refused
// with the one byte-identical refusal (or 403 for a wrong Origin), no attacker's token reaches the
// widget, and afterwards the visitor's own sign-in still completes: the attacks took nothing.
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_PATHS } from '../../../src/protocol/signin.js';
import {
  BALANCE_QUESTION,
  ask,
  chatRequests,
  demoUser,
  newShopContext,
  openChat,
  signInOnForm,
  startHarness,
  waitForConversationText,
  waitForWidgetEvent,
  widgetEvents,
  type Harness,
} from './support.js';

const EVIL_ORIGIN = 'http://evil.test';

let harness: Harness;
let bobToken: string;
beforeAll(async () => {
  harness = await startHarness({ relayRateLimit: 10_000 });
  bobToken = await harness.demo.idp.tokenFor(demoUser('bob'));
});
afterAll(async () => {
  await harness?.close();
});
afterEach(() => {
  harness.demo.setSignInCoop(null);
});

const random = () => randomBytes(32).toString('base64url');
const hash = (secret: string) => createHash('sha256').update(secret, 'ascii').digest('base64url');

/** A request to the relay from outside any browser, with whatever Origin the attacker likes. */
function relay(path: string, body: unknown, origin: string | null): Promise<Response> {
  return fetch(`${harness.demo.backendUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });
}

async function refusalOf(response: Response): Promise<string> {
  expect(response.status).toBe(404);
  return response.text();
}

interface Pending {
  context: BrowserContext;
  page: Page;
  popup: Page;
  state: string;
  mark: number;
  errors: Error[];
}

/** The shop asks for the balance; the sign-in page (COOP same-origin) is open and announced. */
async function pendingSignIn(): Promise<Pending> {
  harness.demo.setSignInCoop('same-origin');
  const { context, errors } = await newShopContext(harness);
  const page = await context.newPage();
  const mark = harness.demo.requests.length;
  await page.goto(harness.demo.siteUrl);
  await waitForWidgetEvent(page, 'ready');
  await openChat(page);
  const opened = context.waitForEvent('page');
  await ask(page, BALANCE_QUESTION);
  const popup = await opened;
  await popup.locator('body[data-announced="announced"]').waitFor({ state: 'attached' });
  const state = new URL(popup.url()).searchParams.get('quincer_state')!;
  expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { context, page, popup, state, mark, errors };
}

/** No token reached the widget: no identify, and no chat request carried one. */
async function expectNothingAccepted({ page, mark }: Pending): Promise<void> {
  expect(await widgetEvents(page)).not.toContain('identify');
  for (const request of chatRequests(harness, mark)) expect(request.authorization).toBe(false);
}

/** alice signs in on the real (cut-off) popup; the refused question is answered with her token, never bob's. */
async function finishAsAlice({ page, popup, mark, errors }: Pending): Promise<void> {
  const closed = popup.waitForEvent('close');
  await signInOnForm(popup, 'alice');
  await closed;
  await waitForConversationText(page, '$1,284.50');
  expect(chatRequests(harness, mark).map((request) => request.sub)).toEqual([null, 'alice']);
  expect(errors).toEqual([]);
}

describe('attacks on the relay', () => {
  it('unregistered, guessed and expired states, and posts from another origin, are refused', async () => {
    const pending = await pendingSignIn();
    try {
      const bodies: string[] = [];
      // A guessed (unregistered) state.
      bodies.push(await refusalOf(await relay(RELAY_PATHS.deliver, { state: random(), token: bobToken }, harness.demo.signInOrigin)));
      // The pending state, one character off.
      const near = (pending.state[0] === 'A' ? 'B' : 'A') + pending.state.slice(1);
      bodies.push(await refusalOf(await relay(RELAY_PATHS.deliver, { state: near, token: bobToken }, harness.demo.signInOrigin)));
      // An expired one: registered (Origin forged outside a browser) for one second.
      const expired = random();
      const registered = await relay(RELAY_PATHS.register, { state: expired, secretHash: hash(random()), ttlSeconds: 1 }, harness.demo.siteOrigin);
      expect(registered.status).toBe(415); // the registration is JSON only …
      const json = await fetch(`${harness.demo.backendUrl}${RELAY_PATHS.register}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: harness.demo.siteOrigin },
        body: JSON.stringify({ state: expired, secretHash: hash(random()), ttlSeconds: 1 }),
      });
      expect(json.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      bodies.push(await refusalOf(await relay(RELAY_PATHS.deliver, { state: expired, token: bobToken }, harness.demo.signInOrigin)));
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0]!)).toMatchObject({ error: { code: 'relay-refused' } });

      // The pending state itself, from another origin: outside a browser, and from a real page (a no-cors
      // text/plain POST, which no preflight stops: the backend checks Origin itself).
      const forged = await relay(RELAY_PATHS.deliver, { state: pending.state, token: bobToken }, EVIL_ORIGIN);
      expect(forged.status).toBe(403);
      // (A local origin: Chromium's Private Network Access would stop a public one before the backend saw it.)
      const otherOrigin = `http://localhost:${new URL(harness.demo.siteUrl).port}`;
      const evil = await pending.context.newPage();
      await evil.goto(`${otherOrigin}/demo/state`);
      const seen = harness.demo.requests.length;
      await evil.evaluate(
        ([url, state, token]) =>
          fetch(url!, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ state, token }) }).then(() => undefined),
        [`${harness.demo.backendUrl}${RELAY_PATHS.deliver}`, pending.state, bobToken] as const,
      );
      expect(harness.demo.requests.slice(seen).filter((r) => r.path === RELAY_PATHS.deliver).map((r) => r.origin)).toEqual([otherOrigin]);

      await expectNothingAccepted(pending);
      await finishAsAlice(pending);
    } finally {
      await pending.context.close();
    }
  });

  it('a second token for the same state is refused; the widget keeps the first', async () => {
    const pending = await pendingSignIn();
    try {
      const aliceToken = await harness.demo.idp.tokenFor(demoUser('alice'));
      // The genuine delivery (as the sign-in page would make it), then a second one for the same state.
      expect((await relay(RELAY_PATHS.deliver, { state: pending.state, token: aliceToken }, harness.demo.signInOrigin)).status).toBe(200);
      const second = await relay(RELAY_PATHS.deliver, { state: pending.state, token: bobToken }, harness.demo.signInOrigin);
      const guessed = await relay(RELAY_PATHS.deliver, { state: random(), token: bobToken }, harness.demo.signInOrigin);
      expect(await refusalOf(second)).toBe(await refusalOf(guessed));
      await waitForConversationText(pending.page, '$1,284.50');
      expect(chatRequests(harness, pending.mark).map((request) => request.sub)).toEqual([null, 'alice']);
      // And after the widget collected it, the state is used up.
      const third = await relay(RELAY_PATHS.deliver, { state: pending.state, token: bobToken }, harness.demo.signInOrigin);
      expect(await refusalOf(third)).toBe(await refusalOf(await relay(RELAY_PATHS.deliver, { state: random(), token: bobToken }, harness.demo.signInOrigin)));
      expect(pending.errors).toEqual([]);
    } finally {
      await pending.context.close();
    }
  });

  it('collecting without the secret, or with a wrong one, gets the refusal and takes nothing', async () => {
    const pending = await pendingSignIn();
    try {
      const collect = (body: unknown) =>
        fetch(`${harness.demo.backendUrl}${RELAY_PATHS.collect}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: harness.demo.siteOrigin },
          body: JSON.stringify(body),
        });
      const bodies = [
        await refusalOf(await collect({ state: pending.state, waitSeconds: 0 })),
        await refusalOf(await collect({ state: pending.state, secret: random(), waitSeconds: 0 })),
        // The state itself as the secret, and its hash: neither proves anything.
        await refusalOf(await collect({ state: pending.state, secret: pending.state.slice(0, 43), waitSeconds: 0 })),
        await refusalOf(await collect({ state: random(), secret: random(), waitSeconds: 0 })),
      ];
      expect(new Set(bodies).size).toBe(1);
      await expectNothingAccepted(pending);
      // The genuine sign-in still reaches the widget: the attempts consumed nothing.
      await finishAsAlice(pending);
    } finally {
      await pending.context.close();
    }
  });

  it('a site that opens the Sign-in URL with a state it registered itself gets no token', async () => {
    harness.demo.setSignInCoop('same-origin');
    const { context, errors } = await newShopContext(harness);
    try {
      // The visitor is remembered on the sign-in site, so the page signs in at once.
      const signIn = await context.newPage();
      await signIn.goto(harness.demo.signInUrl);
      await signIn.locator('#remember').check();
      await signInOnForm(signIn, 'alice');
      await signIn.locator('body[data-result]').waitFor({ state: 'attached' });
      await signIn.close();

      // The attacker registers a state of its own (outside a browser, Origin forged) and opens the Sign-in URL with it.
      const state = random();
      const secret = random();
      const registered = await fetch(`${harness.demo.backendUrl}${RELAY_PATHS.register}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: harness.demo.siteOrigin },
        body: JSON.stringify({ state, secretHash: hash(secret), ttlSeconds: 60 }),
      });
      expect(registered.status).toBe(201);
      await context.route(`${EVIL_ORIGIN}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Evil</title>' }));
      const evil = await context.newPage();
      await evil.goto(`${EVIL_ORIGIN}/`);
      const opened = context.waitForEvent('page');
      await evil.evaluate((url) => void window.open(url, '_blank', 'noopener'), `${harness.demo.signInUrl}?quincer_state=${state}`);
      const popup = await opened;
      // The page signed alice in at once, but nothing says a page of the shop opened it: no relay.
      await popup.locator('body[data-result="no-opener"]').waitFor({ state: 'attached' });
      const collected = await fetch(`${harness.demo.backendUrl}${RELAY_PATHS.collect}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: harness.demo.siteOrigin },
        body: JSON.stringify({ state, secret, waitSeconds: 0 }),
      });
      expect(await collected.json()).toEqual({ token: null, attached: false });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
