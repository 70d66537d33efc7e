/**
 * A 429 from the chat endpoint (issue 11's limits): the widget says plainly
 * when to try again, with the seconds from Retry-After, and never retries by
 * itself. A real loopback server answers 429 with Retry-After, exposed to the
 * page's origin by CORS as the reference backend does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import { html, startPageServer, type PageServer } from './servers.js';

let browser: Browser;
let api: RecordingServer;
let site: PageServer;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startPageServer();
  api = await startRecordingServer({
    signInUrl: null,
    chat: ({ request }) =>
      request.text === 'flood'
        ? {
            type: 'error',
            status: 429,
            code: 'rate-limited',
            message: 'Too many requests; wait, then try again.',
            headers: { 'Retry-After': '7', 'Access-Control-Expose-Headers': 'Retry-After' },
          }
        : { type: 'answer', text: `You said: ${request.text}` },
  });
  site.files.set('/chat-widget.js', { body: readFileSync('packages/chat-widget/dist/chat-widget.js'), type: 'text/javascript' });
  site.files.set(
    '/page.html',
    html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><main><h1>Shop</h1></main>
      <script src="/chat-widget.js"></script>
      <script>
        window.__errors = [];
        ChatWidget.init({ apiUrl: ${JSON.stringify(api.url)}, stream: false });
        ChatWidget.on('error', (e) => window.__errors.push(e));
      </script></body></html>`),
  );
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await site?.close();
});

describe('429 rate-limited', () => {
  it('says "Too many messages — try again in 7 seconds." once, and sends again only when the visitor asks', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/page.html`);
      await page.locator('.launcher').click();
      await page.locator('textarea').fill('flood');
      await page.locator('textarea').press('Enter');

      await page.getByText('Too many messages — try again in 7 seconds.').waitFor();
      const errors = await page.evaluate(() => (window as unknown as { __errors: unknown[] }).__errors);
      expect(errors).toEqual([{ code: 'rate-limited', message: 'Too many messages — try again in 7 seconds.' }]);
      expect(await page.getByText('Not sent: check your connection, then retry.').count()).toBe(0);

      // A later round trip completes; the refused message was still sent only once.
      await page.locator('textarea').fill('hello');
      await page.locator('textarea').press('Enter');
      await page.getByText('You said: hello').waitFor();
      const floods = () => api.apiRequests().filter((r) => r.path === '/v1/chat' && r.body.includes('"flood"'));
      expect(floods()).toHaveLength(1);

      // Retry is the visitor's call: one click, one request, with the same messageId.
      await page.getByRole('button', { name: 'Retry' }).click();
      await expect.poll(() => floods().length, { timeout: 15_000 }).toBe(2);
      const [first, second] = floods().map((r) => (JSON.parse(r.body) as { messageId: string }).messageId);
      expect(second).toBe(first);
    } finally {
      await context.close();
    }
  });
});
