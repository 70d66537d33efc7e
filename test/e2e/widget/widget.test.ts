/**
 * The built script-tag bundle (dist/chat-widget.js) in a real Chromium, on
 * pages served from 127.0.0.1, talking to the reference backend (startServer)
 * on another origin: CORS and the Authorization preflight are real, and the
 * visitor token is signed by a real JWKS server and verified by the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page, Request } from 'playwright-core';
import { readmeSnippetScript } from '../../helpers/readme-snippet.js';
import { launchBrowser } from '../../helpers/browser.js';
import { html, js, startBackend, startPageServer, type Backend, type PageServer } from './servers.js';

const BUNDLE = readFileSync('packages/chat-widget/dist/chat-widget.js');
/** Alice is one of the backend's demo accounts (src/backend/tools/demo-data.ts). */
const ALICE_BALANCE = 'Your account balance is $1,284.50.';
const HOURS = /We're open Monday to Friday 9:00–18:00/;

const snippetScript = readmeSnippetScript;

let browser: Browser;
let backend: Backend;
let site: PageServer;
let TOKEN: string;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startPageServer();
  backend = await startBackend({ allowedOrigins: [site.origin] });
  TOKEN = await backend.token('alice');
  const apiUrl = JSON.stringify(backend.url);
  const csp = `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ${backend.origin}`;
  const files = site.files;
  files.set('/chat-widget.js', { body: BUNDLE, type: 'text/javascript' });
  files.set('/snippet.js', js(snippetScript()));
  // Registered before anything else runs, so every violation is seen.
  files.set(
    '/violations.js',
    js("window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });"),
  );
  files.set('/init-api.js', js(`ChatWidget.init({ apiUrl: ${apiUrl} });`));
  files.set('/identify.js', js(`ChatWidget.identify({ token: ${JSON.stringify(TOKEN)} });`));
  files.set(
    '/csp.html',
    html(
      `<!doctype html><html lang="en"><head><title>Strict CSP</title>
      <script src="/violations.js"></script><script src="/snippet.js"></script><script src="/init-api.js"></script>
      <script src="/identify.js"></script><script async src="/chat-widget.js"></script></head>
      <body><main><h1>Shop</h1></main></body></html>`,
      { 'Content-Security-Policy': csp },
    ),
  );
  files.set(
    '/snippet.html',
    html(`<!doctype html><html lang="en"><head><title>Snippet</title>
    <script>${snippetScript()}</script>
    <script>
      window.__stubBeforeLoad = Array.isArray(window.ChatWidget.q);
      ChatWidget.init({ apiUrl: ${apiUrl} });
      ChatWidget.identify({ token: ${JSON.stringify(TOKEN)} });
      window.__firstSend = ChatWidget.send("What's my balance?");
    </script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>`),
  );
  files.set(
    '/hostile.html',
    html(`<!doctype html><html lang="en"><head><title>Hostile CSS</title>
    <style>* { all: unset !important; } button { display: none !important; } div { display: none !important; }</style>
    <script>${snippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${apiUrl} });</script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1></main></body></html>`),
  );
  // A real shop's page: its own banner, navigation, main and contentinfo landmarks.
  files.set(
    '/landmarks.html',
    html(`<!doctype html><html lang="en"><head><title>Landmarks</title>
    <script>${snippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${apiUrl} });</script>
    <script async src="/chat-widget.js"></script></head><body>
    <header><a href="/">Shop</a><nav aria-label="Main"><a href="/shoes">Shoes</a></nav></header>
    <main><h1>Shop</h1><p>Welcome.</p></main>
    <footer><p>© Shop</p></footer></body></html>`),
  );
  files.set(
    '/plain.html',
    html(`<!doctype html><html lang="en"><head><title>Plain</title>
    <script>${snippetScript()}</script>
    <script>ChatWidget.init({ apiUrl: ${apiUrl} });</script>
    <script async src="/chat-widget.js"></script></head><body><main><h1>Shop</h1><p>Welcome.</p></main></body></html>`),
  );
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await site?.close();
});

async function openPage(path: string, onRequest?: (request: Request) => void): Promise<Page> {
  const context = await browser.newContext();
  if (onRequest) context.on('request', onRequest);
  const page = await context.newPage();
  await page.goto(site.url + path);
  await page.locator('.launcher').waitFor();
  return page;
}

/** Collects the body of every POST /v1/chat the page's browser context sends to the backend. */
function chatBodies(): { bodies: string[]; onRequest: (request: Request) => void } {
  const bodies: string[] = [];
  return {
    bodies,
    onRequest(request) {
      if (request.method() === 'POST' && request.url() === `${backend.url}/v1/chat`) bodies.push(request.postData() ?? '');
    },
  };
}

describe('the script-tag bundle in Chromium against the reference backend', () => {
  it('the README snippet: identify() before the async bundle loads puts Bearer on the first chat request, and the backend verifies it', async () => {
    const before = backend.chatRequests().length;
    const seenFrom = backend.requests.length;
    const sent: { url: string; body: string | null }[] = [];
    const page = await openPage('/snippet.html', (request) => {
      if (request.url().startsWith(backend.origin)) sent.push({ url: request.url(), body: request.postData() });
    });
    expect(await page.evaluate(() => (window as unknown as { __stubBeforeLoad: boolean }).__stubBeforeLoad)).toBe(true);
    const result = await page.evaluate(
      () => (window as unknown as { __firstSend: Promise<{ status: string; reply?: { text: string; tool?: string } }> }).__firstSend,
    );
    // Alice's balance: only a token the backend verified against the JWKS names her.
    expect(result).toMatchObject({ status: 'answered', reply: { text: ALICE_BALANCE, tool: 'account-balance' } });
    const first = backend.chatRequests()[before]!;
    expect(first.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.origin).toBe(site.origin);
    // The config request carried it too.
    const seen = backend.requests.slice(seenFrom);
    const config = seen.find((r) => r.method === 'GET' && r.path === '/v1/widget-config');
    expect(config?.authorization).toBe(`Bearer ${TOKEN}`);
    // The token travelled only in the header: never in a URL or a body the browser sent.
    expect(sent.some((r) => r.url === `${backend.url}/v1/chat` && r.body?.includes("What's my balance?"))).toBe(true);
    expect(sent.filter((r) => r.url.includes(TOKEN) || r.body?.includes(TOKEN))).toEqual([]);
    // The preflight asked for Authorization from the page's origin, and the backend allowed it.
    expect(
      seen.some(
        (r) => r.method === 'OPTIONS' && r.path === '/v1/chat' && r.origin === site.origin && /authorization/i.test(r.requestHeaders ?? ''),
      ),
    ).toBe(true);
    // One widget, even with the bundle loaded a second time.
    await page.addScriptTag({ url: '/chat-widget.js' });
    expect(await page.locator('[data-quincer-chat-widget]').count()).toBe(1);
    await page.context().close();
    // The backend never logged the token.
    expect(backend.logs.filter((line) => line.includes(TOKEN.split('.')[2]!))).toEqual([]);
  });

  it('works under a strict CSP without a single securitypolicyviolation', async () => {
    const page = await openPage('/csp.html');
    await page.locator('.launcher').click();
    await page.locator('textarea').fill("What's my balance?");
    await page.locator('textarea').press('Enter');
    await page.getByText(ALICE_BALANCE).waitFor();
    const last = backend.chatRequests().at(-1)!;
    expect(last.authorization).toBe(`Bearer ${TOKEN}`);
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
    await page.locator('textarea').fill('What are your business hours?');
    await page.locator('button[type=submit]').click();
    await page.getByText(HOURS).waitFor();
    expect(await page.locator('.panel').isVisible()).toBe(true);
    await page.context().close();
  });

  it('keyboard only: Tab to the launcher, Enter opens, type, Enter sends, Esc closes and focus returns', async () => {
    const sent = chatBodies();
    const page = await openPage('/plain.html', sent.onRequest);
    const focusedClass = () =>
      page.evaluate(() => document.querySelector('[data-quincer-chat-widget]')?.shadowRoot?.activeElement?.className ?? null);
    for (let i = 0; i < 5 && (await focusedClass()) !== 'launcher'; i++) await page.keyboard.press('Tab');
    expect(await focusedClass()).toBe('launcher');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Hello there');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('What are your business hours?');
    const before = backend.chatRequests().length;
    await page.keyboard.press('Enter');
    // The backend matched the question on the second line and answered it.
    await page.getByText(HOURS).waitFor();
    expect(backend.chatRequests()).toHaveLength(before + 1);
    expect(sent.bodies.map((body) => (JSON.parse(body) as { text: string }).text)).toEqual([
      'Hello there\nWhat are your business hours?',
    ]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.panel').isVisible()).toBe(false);
    expect(await focusedClass()).toBe('launcher');
    // The focus ring is visible on the launcher.
    const outline = await page.locator('.launcher').evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.context().close();
  });

  it('axe finds no serious or critical violation in the open widget, with an answer and a refusal in it', async () => {
    const page = await openPage('/plain.html');
    await page.locator('.launcher').click();
    await page.locator('textarea').fill('Show me **bold** and `code` https://example.com');
    await page.locator('textarea').press('Enter');
    await page.getByText(/I can help with a few things here/).waitFor();
    // Signed out, the backend refuses the secure tool with 'missing-token' (and no Sign-in URL is configured).
    await page.locator('textarea').fill("What's my balance?");
    await page.locator('textarea').press('Enter');
    await page.locator('.refusal').getByText('You need to be signed in for this. Sign in on this site first, then ask again.').waitFor();
    const { violations } = await new AxeBuilder({ page }).include('[data-quincer-chat-widget]').analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.context().close();
  });

  it("axe: the open panel adds no landmark that collides with a host page's own header, main and footer", async () => {
    const page = await openPage('/landmarks.html');
    await page.locator('.launcher').click();
    await page.locator('textarea').fill('What are your business hours?');
    await page.locator('textarea').press('Enter');
    await page.getByText(HOURS).waitFor();
    // The whole page, not only the widget: duplicate landmarks are a page-level finding.
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.context().close();
  });
});
