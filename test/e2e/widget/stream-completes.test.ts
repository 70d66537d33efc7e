/**
 * A streamed reply is read to its end: after a good answer the chat request finishes normally in the
 * browser, instead of being cancelled by the widget (which DevTools shows as net::ERR_ABORTED and
 * monitoring counts as a failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { readmeSnippetScript } from '../../helpers/readme-snippet.js';
import { launchBrowser } from '../../helpers/browser.js';
import { html, startBackend, startPageServer, type Backend, type PageServer } from './servers.js';

const BUNDLE = readFileSync('packages/chat-widget/dist/chat-widget.js');

let browser: Browser;
let backend: Backend;
let site: PageServer;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startPageServer();
  backend = await startBackend({ allowedOrigins: [site.origin] });
  site.files.set('/chat-widget.js', { body: BUNDLE, type: 'text/javascript' });
  site.files.set(
    '/stream.html',
    html(`<!doctype html><html lang="en"><head><title>Stream</title>
    <script>${readmeSnippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${JSON.stringify(backend.url)} });</script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>`),
  );
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await site?.close();
});

describe('streamed replies', () => {
  it('the SSE chat request completes (requestfinished), never failed or aborted, after the answer', async () => {
    const page = await browser.newPage();
    const finished: string[] = [];
    const failed: string[] = [];
    page.on('requestfinished', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/chat') finished.push(request.headers()['accept'] ?? '');
    });
    page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()} ${request.failure()?.errorText}`));
    await page.goto(`${site.origin}/stream.html`);
    const answer = await page.evaluate(async () => {
      const result = await (window as unknown as { ChatWidget: { send(text: string): Promise<{ text?: string }> } }).ChatWidget.send(
        'What are your business hours?',
      );
      return result;
    });
    expect(JSON.stringify(answer)).toMatch(/Monday to Friday/);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]).toContain('text/event-stream');
    expect(failed).toEqual([]);
    await page.close();
  });
});
