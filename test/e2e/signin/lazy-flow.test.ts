// The script-tag widget loads its popup flow (chat-widget-signin.js) on first need: not at boot, but once
// a refusal offers sign-in; and if that file cannot load, the visitor is told and the popup closes; a
// bundler that renames both files is followed through data-sign-in-script.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BALANCE_QUESTION,
  ask,
  newShopContext,
  openChat,
  signInOnForm,
  startHarness,
  waitForConversationText,
  waitForWidgetEvent,
  type Harness,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

/** The paths of every script the page requests, as they happen. */
function scriptPaths(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') paths.push(new URL(request.url()).pathname);
  });
  return paths;
}

/** The balance question, the popup it opens, alice's sign-in there, and the answer it brings. */
async function askBalanceAndSignIn(page: Page): Promise<void> {
  const opened = page.waitForEvent('popup');
  await ask(page, BALANCE_QUESTION);
  const popup = await opened;
  const closed = popup.waitForEvent('close');
  await signInOnForm(popup, 'alice');
  await closed;
  await waitForConversationText(page, '$1,284.50');
}

describe('the popup flow is loaded on first need', () => {
  it('is not fetched at boot, is fetched once sign-in is offered, from beside chat-widget.js', async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      const page = await context.newPage();
      const scripts = scriptPaths(page);
      await page.goto(harness.demo.siteUrl);
      await waitForWidgetEvent(page, 'ready');
      await openChat(page);
      expect(scripts).toContain('/chat-widget.js');
      expect(scripts).not.toContain('/chat-widget-signin.js');
      await askBalanceAndSignIn(page);
      expect(scripts.filter((path) => path === '/chat-widget-signin.js')).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Retried: in 2 of 5 full suite runs on 2026-12-02 (never in 30 runs of this file alone) the popup was still
  // open 15 s after the widget gave up on it; cause not found (docs/contributing.md, "One known flake").
  // Every attempt asserts the whole behaviour.
  it('when the file cannot load: the popup closes, signin-cancelled, and the console says what to fix', { retry: 2 }, async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      await context.route('**/chat-widget-signin.js', (route) => route.fulfill({ status: 404, body: 'missing' }));
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(harness.demo.siteUrl);
      await waitForWidgetEvent(page, 'ready');
      await openChat(page);
      const opened = page.waitForEvent('popup');
      await ask(page, BALANCE_QUESTION);
      const popup = await opened;
      // Polled: a popup closed within milliseconds of opening may be reported closed before a listener exists.
      await expect.poll(() => popup.isClosed(), { timeout: 15_000 }).toBe(true);
      await waitForWidgetEvent(page, 'signin-cancelled');
      await waitForConversationText(page, /cancelled/i);
      expect(consoleErrors.some((text) => text.includes('chat-widget-signin.js') && text.includes('data-sign-in-script'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('with the files renamed by a bundler, data-sign-in-script (as embedding.md shows) names the flow file', async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      // As a Vite build with ?url imports emits them: hashed names under /assets/, nothing at the old names,
      // and the app's own bundle adding the widget's tag with the snippet of docs/embedding.md.
      const renamedWidget = '/assets/chat-widget-3f9a1c.js';
      const renamedFlow = '/assets/chat-widget-signin-b72e40.js';
      const files = new Map<string, Buffer>();
      for (const [path, original] of [[renamedWidget, '/chat-widget.js'], [renamedFlow, '/chat-widget-signin.js']] as const) {
        const served = await fetch(new URL(original, harness.demo.siteUrl));
        expect(served.status).toBe(200);
        files.set(path, Buffer.from(await served.arrayBuffer()));
      }
      const appBundle = `
        const script = document.createElement('script');
        script.async = true;
        script.src = ${JSON.stringify(renamedWidget)};
        script.dataset.signInScript = ${JSON.stringify(renamedFlow)};
        document.head.append(script);`;
      await context.route(/\/chat-widget-signin\.js$/, (route) => route.fulfill({ status: 404, body: 'renamed by the bundler' }));
      // The page's own tag for /chat-widget.js stands in for the app's bundle.
      await context.route(/\/chat-widget\.js$/, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: appBundle }));
      await context.route(/\/assets\//, (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript', body: files.get(new URL(route.request().url()).pathname) ?? '' }),
      );
      const page = await context.newPage();
      const scripts = scriptPaths(page);
      await page.goto(harness.demo.siteUrl);
      await waitForWidgetEvent(page, 'ready');
      await openChat(page);
      expect(scripts).not.toContain(renamedFlow);
      await askBalanceAndSignIn(page);
      expect(scripts).toContain(renamedFlow);
      expect(scripts).not.toContain('/chat-widget-signin.js');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
