// Shared pieces of the popup sign-in end-to-end tests: the real demo servers, one
// Chromium per file, a fresh context per test, and ways to observe what the page and
// the backend saw.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatRequest, ChatResponse } from '../../../src/protocol/chat.js';
import { launchBrowser } from '../../helpers/browser.js';
import { DEMO_PASSWORD, DEMO_USERS, startDemo, type Demo, type DemoOptions, type DemoUser, type RecordedRequest } from '../../../demo/demo.mjs';

export { DEMO_PASSWORD };
export const CHAT_PATH = '/v1/chat';
export const BALANCE_QUESTION = "What's my account balance?";
export const PUBLIC_QUESTION = 'What are your business hours?';

export function demoUser(username: string): DemoUser {
  const user = DEMO_USERS.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`No demo user ${username}`);
  return user;
}

export interface Harness {
  demo: Demo;
  browser: Browser;
  close(): Promise<void>;
}

export async function startHarness(options: DemoOptions = {}): Promise<Harness> {
  const demo = await startDemo({ logLevel: 'silent', adminToken: randomBytes(24).toString('base64url'), ...options });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await demo.close();
    throw error;
  }
  return {
    demo,
    browser,
    async close() {
      await browser.close();
      await demo.close();
    },
  };
}

export interface ShopPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the shop page and its popups (page.on('pageerror')). */
  errors: Error[];
  /** Index into demo.requests where this page's requests begin. */
  mark: number;
}

/**
 * Opens the customer site in a fresh context. `initScript` runs in the page before
 * any of its scripts (e.g. to make window.open return null); `search` is the shop's
 * query string (e.g. '?signInTimeoutMs=3000').
 */
export async function openShop(harness: Harness, initScript?: InitScripts, search = ''): Promise<ShopPage> {
  const { context, errors } = await newShopContext(harness, initScript);
  const page = await context.newPage();
  const mark = harness.demo.requests.length;
  await page.goto(`${harness.demo.siteUrl}${search}`);
  await waitForWidgetEvent(page, 'ready');
  return { context, page, errors, mark };
}

/** A fresh context that collects page errors and records the messages each page receives. */
/** One init script, or several run in order. */
export type InitScripts = (() => void) | ReadonlyArray<() => void>;

export async function newShopContext(harness: Harness, initScript?: InitScripts): Promise<{ context: BrowserContext; errors: Error[] }> {
  const context = await harness.browser.newContext();
  const errors: Error[] = [];
  context.on('page', (page) => page.on('pageerror', (error) => errors.push(error)));
  // The demo's pages run under a strict CSP: any violation is an error of the test too.
  await context.exposeBinding('__reportCspViolation', ({ frame }, directive: string, blocked: string) => {
    errors.push(new Error(`CSP violation on ${frame.url()}: ${directive} blocked ${blocked}`));
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      void (window as unknown as { __reportCspViolation(d: string, b: string): Promise<void> }).__reportCspViolation(
        event.effectiveDirective,
        event.blockedURI,
      );
    });
  });
  for (const script of typeof initScript === 'function' ? [initScript] : (initScript ?? [])) await context.addInitScript(script);
  // Records which messages reached the shop's window (origin and shape only, never a
  // token), so a test can wait until a hostile message has been delivered.
  await context.addInitScript(() => {
    const seen: Array<{ origin: string; shape: string }> = [];
    Object.defineProperty(window, '__messagesSeen', { value: seen });
    window.addEventListener('message', (event) => {
      const data: unknown = event.data;
      const shape =
        data !== null && typeof data === 'object'
          ? `object:${String((data as { type?: unknown }).type)}:${typeof (data as { token?: unknown }).token}`
          : typeof data;
      seen.push({ origin: event.origin, shape });
    });
  });
  return { context, errors };
}

/** The widget events the shop page logged (its #events list), in order. */
export function widgetEvents(page: Page): Promise<string[]> {
  return page.locator('#events li').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.event ?? ''));
}

export async function waitForWidgetEvent(page: Page, name: string, count = 1): Promise<void> {
  await page.locator(`#events li[data-event="${name}"]`).nth(count - 1).waitFor({ state: 'attached' });
}

export function messagesSeen(page: Page): Promise<Array<{ origin: string; shape: string }>> {
  return page.evaluate(() => (window as unknown as { __messagesSeen: Array<{ origin: string; shape: string }> }).__messagesSeen.slice());
}

/** Waits until the shop's window has received `count` messages from `origin`. */
export async function waitForMessagesFrom(page: Page, origin: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([expectedOrigin, expected]) =>
      (window as unknown as { __messagesSeen: Array<{ origin: string }> }).__messagesSeen.filter((m) => m.origin === expectedOrigin).length >=
      (expected as number),
    [origin, count] as const,
  );
}

/** The chat requests the backend received since `mark` (OPTIONS preflights excluded). */
export function chatRequests(harness: Harness, mark: number): RecordedRequest[] {
  return harness.demo.requests.slice(mark).filter((request) => request.path === CHAT_PATH && request.method === 'POST');
}

/** Every widget request since `mark` (preflights excluded): config, chat, history. */
export function widgetRequests(harness: Harness, mark: number): RecordedRequest[] {
  return harness.demo.requests.slice(mark).filter((request) => request.method !== 'OPTIONS' && !request.path.startsWith('/v1/admin'));
}

/** Waits until the backend has received `count` chat requests since `mark`. */
export async function waitForChatRequests(harness: Harness, mark: number, count: number): Promise<RecordedRequest[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const requests = chatRequests(harness, mark);
    if (requests.length >= count) return requests;
    if (Date.now() > deadline) throw new Error(`Expected ${count} chat requests, the backend saw ${requests.length}.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Signs in on the sign-in site's form (in the popup, or any page showing it). */
export async function signInOnForm(popup: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await popup.locator('#username').fill(username);
  await popup.locator('#password').fill(password);
  await popup.locator('#submit').click();
}

// The widget, seen as a visitor sees it (Playwright's role locators pierce its open shadow root).
export const SIGN_IN_BUTTON = 'Sign in to continue';

export function conversation(page: Page) {
  return page.getByRole('log');
}

export function signInButton(page: Page) {
  return conversation(page).getByRole('button', { name: SIGN_IN_BUTTON });
}

export async function openChat(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('textbox', { name: 'Your message' }).waitFor();
}

/** Types a question and presses Enter, as a visitor does (this grants user activation). */
export async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Your message' });
  await input.fill(text);
  await input.press('Enter');
}

export async function waitForConversationText(page: Page, text: string | RegExp): Promise<void> {
  await conversation(page).getByText(text).first().waitFor();
}

/** Asks for the balance and returns the sign-in popup the widget opens. */
export async function askAndCatchPopup(page: Page, text: string): Promise<Page> {
  const popup = page.waitForEvent('popup');
  await ask(page, text);
  const opened = await popup;
  await opened.waitForLoadState('domcontentloaded');
  return opened;
}

/**
 * An init script: navigator.userActivation.isActive reports false, as when a refusal
 * lands after activation lapsed (Chromium keeps it 5 s, Safari about 1 s). Without it,
 * Playwright's own calls into the page grant activation. Real clicks still let
 * window.open through: the browser's popup blocker reads its own state, not this getter.
 */
export function withoutUserActivation(): void {
  Object.defineProperty(Object.getPrototypeOf(navigator.userActivation) as object, 'isActive', { get: () => false });
}

/** Identifies the widget from inside the shop page with a token of `kind` from the shop's endpoint, and a refresh provider. */
export async function identifyInPage(
  page: Page,
  username: string,
  kind: string,
  refresh: 'working' | 'failing' | 'none',
): Promise<void> {
  await page.evaluate(
    async ([user, tokenKind, provider]) => {
      const tokenFor = (k: string) =>
        fetch('/demo/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, kind: k }) })
          .then((response) => response.json() as Promise<{ token: string }>)
          .then((body) => body.token);
      const calls = { count: 0 };
      Object.defineProperty(window, '__refreshCalls', { value: calls, configurable: true });
      const token = await tokenFor(tokenKind!);
      const widget = (window as unknown as { ChatWidget: { identify(o: { token: string; refresh?: () => Promise<string> }): void } }).ChatWidget;
      if (provider === 'none') widget.identify({ token });
      else
        widget.identify({
          token,
          refresh: () => {
            calls.count += 1;
            return provider === 'working' ? tokenFor('valid') : Promise.reject(new Error('The session on the shop has ended.'));
          },
        });
    },
    [username, kind, refresh] as const,
  );
}

export function refreshCalls(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __refreshCalls: { count: number } }).__refreshCalls.count);
}

/**
 * Subscribes to the widget's events from inside the shop page and keeps each payload
 * (the shop's own #events list shows only a summary). Call once the widget is ready.
 */
export async function recordWidgetPayloads(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Array<{ name: string; payload: unknown }> = [];
    Object.defineProperty(window, '__widgetPayloads', { value: seen });
    const api = (window as unknown as { ChatWidget: { on(name: string, handler: (payload?: unknown) => void): unknown } }).ChatWidget;
    for (const name of ['signin-required', 'signin-blocked', 'signin-complete', 'signin-cancelled', 'identify', 'error']) {
      api.on(name, (payload) => seen.push({ name, payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)) }));
    }
  });
}

/** The payloads of widget event `name` since recordWidgetPayloads(), in order. */
export function widgetPayloads(page: Page, name: string): Promise<unknown[]> {
  return page.evaluate(
    (eventName) =>
      (window as unknown as { __widgetPayloads: Array<{ name: string; payload: unknown }> }).__widgetPayloads
        .filter((entry) => entry.name === eventName)
        .map((entry) => entry.payload),
    name,
  );
}

/**
 * An init script: the shop page keeps a copy of every POST /v1/chat it sends (its body)
 * and of the reply it reads (through Response.clone(), so the widget's own stream is
 * untouched). Read them with chatExchanges(). Never records a header, so never a token.
 */
export function withChatRecorder(): void {
  const records: Array<{ body: string; response: string | null }> = [];
  Object.defineProperty(window, '__chatTraffic', { value: records });
  const realFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const pending = realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.pathname === '/v1/chat' && (init?.method ?? 'GET').toUpperCase() === 'POST') {
      const record = { body: typeof init?.body === 'string' ? init.body : '', response: null as string | null };
      records.push(record);
      pending
        .then((response) => response.clone().text())
        .then(
          (text) => (record.response = text),
          () => (record.response = ''),
        );
    }
    return pending;
  };
}

/** One POST /v1/chat as the shop page sent it, and the reply it got. */
export interface ChatExchange {
  body: ChatRequest;
  /** The ChatResponse (JSON, or the SSE stream's `end` event); null for an error or a cut reply. */
  response: ChatResponse | null;
}

/** The chat exchanges withChatRecorder() saw, once every reply has been read to its end. */
export async function chatExchanges(page: Page): Promise<ChatExchange[]> {
  const handle = await page.waitForFunction(() => {
    const records = (window as unknown as { __chatTraffic: Array<{ body: string; response: string | null }> }).__chatTraffic;
    return records.every((record) => record.response !== null) && records.map((record) => ({ ...record }));
  });
  const records = (await handle.jsonValue()) as Array<{ body: string; response: string }>;
  return records.map((record) => ({ body: JSON.parse(record.body) as ChatRequest, response: parseChatResponse(record.response) }));
}

/** A JSON ChatResponse, or the data of the `end` event of an SSE reply. */
function parseChatResponse(body: string): ChatResponse | null {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(trimmed) as Partial<ChatResponse>;
    return json.reply ? (json as ChatResponse) : null;
  }
  for (const block of trimmed.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/);
    if (!lines.includes('event: end')) continue;
    const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart());
    return JSON.parse(data.join('\n')) as ChatResponse;
  }
  return null;
}

/** The conversation as the backend stored it, read with a fresh valid token for `username`. */
export async function storedHistory(harness: Harness, conversationId: string, username: string): Promise<Array<{ id: string; role: string; text: string }>> {
  const token = await harness.demo.idp.tokenFor(demoUser(username));
  const response = await fetch(`${harness.demo.backendUrl}/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`History of ${conversationId} for ${username}: HTTP ${response.status}`);
  const body = (await response.json()) as { messages: Array<{ id: string; role: string; text: string }> };
  return body.messages;
}
