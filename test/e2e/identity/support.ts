/**
 * Pages for the identity-switching browser tests: the built script-tag bundle
 * on a static page server, talking to one or two reference backends (real
 * JWKS-signed tokens, real SQLite ownership). Each page records the widget's
 * events and, at every POST /v1/chat the widget starts, what the widget's DOM
 * showed at that moment.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { html, type Backend, type PageServer } from '../widget/servers.js';

export const BUNDLE = readFileSync('packages/chat-widget/dist/chat-widget.js');
export const ALICE_BALANCE = 'Your account balance is $1,284.50.';
export const BOB_BALANCE = 'Your account balance is $42.00.';

/** A page at `path` whose widget talks to `backend` (persist as given, JSON replies). */
export function addPage(site: PageServer, path: string, backend: Backend, persist: 'memory' | 'session' = 'memory'): void {
  site.files.set('/chat-widget.js', { body: BUNDLE, type: 'text/javascript' });
  site.files.set(
    path,
    html(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1></main>
    <script>
      window.__events = [];
      window.__shownAtChat = [];
      const realFetch = window.fetch;
      window.fetch = function (input, init) {
        if (String(input).endsWith('/v1/chat')) {
          const host = document.querySelector('[data-quincer-chat-widget]');
          window.__shownAtChat.push(host && host.shadowRoot ? host.shadowRoot.textContent : '');
        }
        return realFetch.apply(this, arguments);
      };
    </script>
    <script src="/chat-widget.js"></script>
    <script>
      ChatWidget.init({ apiUrl: ${JSON.stringify(backend.url)}, persist: ${JSON.stringify(persist)}, stream: false });
      for (const name of ['logout', 'conversation-reset', 'identify']) {
        ChatWidget.on(name, (detail) => window.__events.push(detail === undefined ? [name] : [name, detail]));
      }
      ChatWidget.open();
    </script></body></html>`),
  );
}

export interface SeenResponse {
  url: string;
  status: number;
  authorization: string | null;
}

/** Every response the context's pages got from `origin`, with the Authorization its request carried. */
export function recordResponses(context: BrowserContext, origin: string): SeenResponse[] {
  const seen: SeenResponse[] = [];
  context.on('response', async (response) => {
    if (!response.url().startsWith(origin) || response.request().method() === 'OPTIONS') return;
    const headers = await response.request().allHeaders();
    seen.push({ url: response.url(), status: response.status(), authorization: headers['authorization'] ?? null });
  });
  return seen;
}

export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.launcher').waitFor();
  return page;
}

/** The text of the widget's shadow DOM: what the visitor could see or a screen reader read. */
export const widgetText = (page: Page): Promise<string> =>
  page.evaluate(() => document.querySelector('[data-quincer-chat-widget]')!.shadowRoot!.textContent ?? '');

export const events = (page: Page): Promise<unknown[][]> => page.evaluate(() => (window as unknown as { __events: unknown[][] }).__events);

export const shownAtChat = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __shownAtChat: string[] }).__shownAtChat);

type SendOutcome = { status: string; reply?: { type: string; text?: string } };
export const send = (page: Page, text: string): Promise<SendOutcome> =>
  page.evaluate((t) => (window as unknown as { ChatWidget: { send(text: string): Promise<SendOutcome> } }).ChatWidget.send(t), text);

export const identify = (page: Page, token: string): Promise<void> =>
  page.evaluate((t) => (window as unknown as { ChatWidget: { identify(input: { token: string }): void } }).ChatWidget.identify({ token: t }), token);

export const logout = (page: Page): Promise<void> =>
  page.evaluate(() => (window as unknown as { ChatWidget: { logout(): void } }).ChatWidget.logout());

/** The conversationId each POST /v1/chat body carried, in order. */
export function chatConversationIds(bodies: string[]): (string | null)[] {
  return bodies.map((body) => (JSON.parse(body) as { conversationId: string | null }).conversationId ?? null);
}
