/**
 * The built script-tag bundle (dist/chat-widget.js) in a real Chromium, on
 * pages served from 127.0.0.1, talking to a recording API server on another
 * origin (so CORS and the Authorization preflight are real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readmeSnippetScript } from '../../helpers/readme-snippet.js';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';

const BUNDLE = readFileSync('dist/chat-widget.js');
const TOKEN = [
  Buffer.from('{"alg":"ES256","typ":"JWT"}').toString('base64url'),
  Buffer.from('{"sub":"visitor-7"}').toString('base64url'),
  Buffer.from('e2e-signature-bytes-not-checked-by-the-widget').toString('base64url'),
].join('.');

const snippetScript = readmeSnippetScript;

const js = (body: string) => ({ body, type: 'text/javascript' });
const html = (body: string, headers?: Record<string, string>) => ({ body, type: 'text/html', headers });

let browser: Browser;
let api: RecordingServer;
let site: RecordingServer;

beforeAll(async () => {
  browser = await launchBrowser();
  api = await startRecordingServer({ signInUrl: null });
  const csp = () => `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ${api.origin}`;
  site = await startRecordingServer({
    files: {
      '/chat-widget.js': { body: BUNDLE, type: 'text/javascript' },
      '/snippet.js': js(snippetScript()),
      // Registered before anything else runs, so every violation is seen.
      '/violations.js': js(
        "window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });",
      ),
      '/identify.js': js(`ChatWidget.identify({ token: ${JSON.stringify(TOKEN)} });`),
      '/csp.html': html(
        `<!doctype html><html lang="en"><head><title>Strict CSP</title>
        <script src="/violations.js"></script><script src="/snippet.js"></script><script src="/init-api.js"></script>
        <script src="/identify.js"></script><script async src="/chat-widget.js"></script></head>
        <body><main><h1>Shop</h1></main></body></html>`,
        { 'Content-Security-Policy': 'CSP' },
      ),
    },
  });
  // Files that need the API origin, which is known only now.
  site.options.files!['/init-api.js'] = js(`ChatWidget.init({ apiUrl: ${JSON.stringify(api.url)} });`);
  site.options.files!['/csp.html']!.headers = { 'Content-Security-Policy': csp() };
  site.options.files!['/snippet.html'] = html(`<!doctype html><html lang="en"><head><title>Snippet</title>
    <script>${snippetScript()}</script>
    <script>
      window.__stubBeforeLoad = Array.isArray(window.ChatWidget.q);
      ChatWidget.init({ apiUrl: ${JSON.stringify(api.url)} });
      ChatWidget.identify({ token: ${JSON.stringify(TOKEN)} });
      window.__firstSend = ChatWidget.send('first message');
    </script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>`);
  site.options.files!['/hostile.html'] = html(`<!doctype html><html lang="en"><head><title>Hostile CSS</title>
    <style>* { all: unset !important; } button { display: none !important; } div { display: none !important; }</style>
    <script>${snippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${JSON.stringify(api.url)} });</script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>`);
  site.options.files!['/plain.html'] = html(`<!doctype html><html lang="en"><head><title>Plain</title>
    <script>${snippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${JSON.stringify(api.url)} });</script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1><p>Welcome.</p></main></body></html>`);
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await site?.close();
});

async function openPage(path: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url + path);
  await page.locator('.launcher').waitFor();
  return page;
}

function chatRequests() {
  return api.apiRequests().filter((r) => r.path === '/v1/chat');
}

describe('the script-tag bundle in Chromium', () => {
  it('the README snippet: identify() before the async bundle loads puts Bearer on the first chat request', async () => {
    const before = chatRequests().length;
    const page = await openPage('/snippet.html');
    expect(await page.evaluate(() => (window as unknown as { __stubBeforeLoad: boolean }).__stubBeforeLoad)).toBe(true);
    const result = await page.evaluate(() => (window as unknown as { __firstSend: Promise<{ status: string }> }).__firstSend);
    expect(result.status).toBe('answered');
    const first = chatRequests()[before]!;
    expect(JSON.parse(first.body).text).toBe('first message');
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.url).not.toContain(TOKEN);
    expect(first.body).not.toContain(TOKEN);
    // The preflight asked for Authorization, and the config request carried it too.
    expect(api.requests.some((r) => r.method === 'OPTIONS' && /authorization/i.test(String(r.headers['access-control-request-headers'])))).toBe(true);
    // One widget, even with the bundle loaded a second time.
    await page.addScriptTag({ url: '/chat-widget.js' });
    expect(await page.locator('[data-quincer-chat-widget]').count()).toBe(1);
    await page.context().close();
  });

  it('works under a strict CSP without a single securitypolicyviolation', async () => {
    const page = await openPage('/csp.html');
    await page.locator('.launcher').click();
    await page.locator('textarea').fill('hello under csp');
    await page.locator('textarea').press('Enter');
    await page.getByText('You said: hello under csp').waitFor();
    const last = chatRequests().at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual([]);
    // Control: the policy is live and the listener sees what it blocks.
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.append(style);
    });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations.length))
      .toBe(1);
    // The panel is styled (the constructable stylesheet applied), not raw.
    const position = await page.locator('.panel').evaluate((el) => getComputedStyle(el).position);
    expect(position).toBe('fixed');
    await page.context().close();
  });

  it('hostile host CSS does not break it', async () => {
    const page = await openPage('/hostile.html');
    const launcher = page.locator('.launcher');
    await expect.poll(() => launcher.isVisible()).toBe(true);
    const box = (await launcher.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(40);
    expect(await launcher.evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    await launcher.click();
    await page.locator('textarea').fill('still works');
    await page.locator('button[type=submit]').click();
    await page.getByText('You said: still works').waitFor();
    expect(await page.locator('.panel').isVisible()).toBe(true);
    await page.context().close();
  });

  it('keyboard only: Tab to the launcher, Enter opens, type, Enter sends, Esc closes and focus returns', async () => {
    const page = await openPage('/plain.html');
    const focusedClass = () =>
      page.evaluate(() => document.querySelector('[data-quincer-chat-widget]')?.shadowRoot?.activeElement?.className ?? null);
    for (let i = 0; i < 5 && (await focusedClass()) !== 'launcher'; i++) await page.keyboard.press('Tab');
    expect(await focusedClass()).toBe('launcher');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    await page.getByText(/You said: first line/).waitFor();
    expect(JSON.parse(chatRequests().at(-1)!.body).text).toBe('first line\nsecond line');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.panel').isVisible()).toBe(false);
    expect(await focusedClass()).toBe('launcher');
    // The focus ring is visible on the launcher.
    const outline = await page.locator('.launcher').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.context().close();
  });

  it('axe finds no serious or critical violation in the open widget', async () => {
    const page = await openPage('/plain.html');
    await page.locator('.launcher').click();
    await page.locator('textarea').fill('Show me **bold** and `code` https://example.com');
    await page.locator('textarea').press('Enter');
    await page.getByText(/You said/).waitFor();
    const { violations } = await new AxeBuilder({ page }).include('[data-quincer-chat-widget]').analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.context().close();
  });
});
