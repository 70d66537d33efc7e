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

const BUNDLE = readFileSync('dist/chat-widget.js');
const TOKEN = [
  Buffer.from('{"alg":"ES256","typ":"JWT"}').toString('base64url'),
  Buffer.from('{"sub":"visitor-7"}').toString('base64url'),
  Buffer.from('e2e-signature-bytes-not-checked-by-the-widget').toString('base64url'),
].join('.');

let browser: Browser;
let api: RecordingServer;
let attacker: RecordingServer;
let site: RecordingServer;

beforeAll(async () => {
  browser = await launchBrowser();
  api = await startRecordingServer({ signInUrl: null });
  attacker = await startRecordingServer({ signInUrl: null });
  site = await startRecordingServer({
    files: {
      '/chat-widget.js': { body: BUNDLE, type: 'text/javascript' },
      '/identify.js': { body: `ChatWidget.identify({ token: ${JSON.stringify(TOKEN)} });`, type: 'text/javascript' },
    },
  });
  site.options.files!['/clobbered.html'] = {
    type: 'text/html',
    body: `<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1>
      <p>A visitor's comment: <img name="currentScript" alt="" data-api-url="${attacker.url}"></p></main>
      <script src="/chat-widget.js" data-api-url="${api.url}"></script>
      <script src="/identify.js"></script></body></html>`,
  };
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
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
        (window as unknown as { ChatWidget: { send(text: string): Promise<{ status: string }> } }).ChatWidget.send('hello'),
      );
      expect(result.status).toBe('answered');
      expect(attacker.requests).toEqual([]);
      const chat = api.apiRequests().find((request) => request.path === '/v1/chat');
      expect(chat?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      await context.close();
    }
  });
});
