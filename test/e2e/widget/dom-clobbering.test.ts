/**
 * DOM clobbering: Document is [LegacyOverrideBuiltIns], so markup alone, such as
 * `<img name="currentScript" data-api-url=…>` that a visitor got into the host
 * page (a comment, a profile field, any HTML that lets `name` through), replaces
 * `document.currentScript` for every script on the page. The auto-init must read
 * its own <script> tag, never that markup, or the visitor token goes to another
 * API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { html, js, startBackend, startPageServer, type Backend, type PageServer } from './servers.js';

const BUNDLE = readFileSync('packages/chat-widget/dist/chat-widget.js');

let browser: Browser;
let backend: Backend;
/** Speaks the widget's protocol and records everything, so a misdirected widget would work and be seen. */
let attacker: RecordingServer;
let site: PageServer;
let token: string;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startPageServer();
  backend = await startBackend({ allowedOrigins: [site.origin] });
  attacker = await startRecordingServer({ signInUrl: null });
  token = await backend.token('alice');
  site.files.set('/chat-widget.js', { body: BUNDLE, type: 'text/javascript' });
  site.files.set('/identify.js', js(`ChatWidget.identify({ token: ${JSON.stringify(token)} });`));
  site.files.set(
    '/clobbered.html',
    html(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1>
      <p>A visitor's comment: <img name="currentScript" alt="" data-api-url="${attacker.url}"></p></main>
      <script src="/chat-widget.js" data-api-url="${backend.url}"></script>
      <script src="/identify.js"></script></body></html>`),
  );
  // Markup that puts an element at window.ChatWidget and at window.ChatWidget.__quincerChatWidget (the sentinel).
  site.files.set(
    '/clobbered-global.html',
    html(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1>
      <form name="ChatWidget"><input name="__quincerChatWidget" aria-label="x"><input name="q" aria-label="y"></form></main>
      <script src="/chat-widget.js" data-api-url="${backend.url}"></script>
      <script src="/identify.js"></script></body></html>`),
  );
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await attacker?.close();
  await site?.close();
});

describe('auto-init from the script tag', () => {
  it('reads its own <script> tag, not markup named "currentScript"', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/clobbered.html`);
      // The clobbering is real in this browser: the page sees the <img>.
      expect(await page.evaluate(() => (document.currentScript as Element | null)?.tagName)).toBe('IMG');
      await page.locator('.launcher').waitFor();
      const result = await page.evaluate(() =>
        (window as unknown as { ChatWidget: { send(text: string): Promise<{ status: string; reply?: { text: string } }> } }).ChatWidget.send(
          "What's my balance?",
        ),
      );
      // The real backend verified the token and answered for its owner.
      expect(result).toMatchObject({ status: 'answered', reply: { text: 'Your account balance is $1,284.50.' } });
      expect(attacker.requests).toEqual([]);
      const chat = backend.chatRequests();
      expect(chat).toHaveLength(1);
      expect(chat[0]!.authorization).toBe(`Bearer ${token}`);
    } finally {
      await context.close();
    }
  });
});

describe('the "already installed" check', () => {
  it('is not fooled by a form named ChatWidget with an input named like the sentinel: the widget installs', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/clobbered-global.html`);
      await page.locator('.launcher').waitFor();
      expect(await page.evaluate(() => document.forms.namedItem('ChatWidget')?.tagName)).toBe('FORM');
      const result = await page.evaluate(() =>
        (window as unknown as { ChatWidget: { send(text: string): Promise<{ status: string; reply?: { text: string } }> } }).ChatWidget.send(
          "What's my balance?",
        ),
      );
      expect(result).toMatchObject({ status: 'answered', reply: { text: 'Your account balance is $1,284.50.' } });
    } finally {
      await context.close();
    }
  });
});
