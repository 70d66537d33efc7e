// The config page's end-to-end harness: a real backend (startServer on 127.0.0.1, temp dataDir),
// a real JWKS server, one Chromium per file, a fresh context per test, and a record of
// every admin response and page the browser received.
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { startServer, type RunningServer } from '../../../src/backend/server.js';
import type { AdminConfigView, AdminVisitorSignInConfig } from '../../../src/backend/admin-config.js';

const ADMIN_BUNDLE = fileURLToPath(new URL('../../../packages/chat-backend/dist/admin.js', import.meta.url));

export interface Harness {
  server: RunningServer;
  jwks: JwksServer;
  browser: Browser;
  dataDir: string;
  /** GET/PUT the config through the admin API, as a second witness of what is stored. */
  getConfig(): Promise<AdminConfigView>;
  putConfig(config: Partial<AdminVisitorSignInConfig>): Promise<AdminConfigView>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(ADMIN_BUNDLE)) throw new Error(`${ADMIN_BUNDLE} is missing; run \`npm run build\` before these tests.`);
  const jwks = await startJwksServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'quincer-admin-e2e-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    adminToken: randomBytes(32).toString('base64url'),
    logger: pino({ level: 'silent' }),
    // A rotated key must stay unknown until "Refresh JWKS + verify", however slow the machine is.
    verifierDeps: { unknownKidCooldownMs: 3_600_000 },
  });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.close();
    await jwks.close();
    throw error;
  }
  const admin = async (method: 'GET' | 'PUT', body?: unknown): Promise<AdminConfigView> => {
    const response = await fetch(`${server.url}/v1/admin/visitor-sign-in`, {
      method,
      headers: { Authorization: `Bearer ${server.adminToken}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} config answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as AdminConfigView;
  };
  return {
    server,
    jwks,
    browser,
    dataDir,
    getConfig: () => admin('GET'),
    putConfig: (config) =>
      admin('PUT', { mode: 'off', jwksUrl: null, issuer: null, audience: null, claimMapping: null, signInUrl: null, allowedOrigins: [], ...config }),
    async close() {
      await browser.close();
      await server.close();
      await jwks.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RecordedResponse {
  method: string;
  url: string;
  status: number;
  body: string;
}

export interface AdminPage {
  context: BrowserContext;
  page: Page;
  /** Every response from the backend the page received (admin API, page, bundle), with its body. */
  responses: RecordedResponse[];
  /** Console messages about Content-Security-Policy violations, and uncaught page errors. */
  problems: string[];
  /** Resolves once every recorded response body has been read. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** `initScript` runs in the page before its own scripts (e.g. to plant a stale admin token). */
export async function openAdminPage(harness: Harness, initScript?: () => void): Promise<AdminPage> {
  const context = await harness.browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const responses: RecordedResponse[] = [];
  const problems: string[] = [];
  const pending = new Set<Promise<void>>();
  page.on('response', (response) => {
    if (!response.url().startsWith(harness.server.url)) return;
    const read = response
      .text()
      .then((body) => {
        responses.push({ method: response.request().method(), url: response.url(), status: response.status(), body });
      })
      .catch(() => undefined)
      .finally(() => pending.delete(read));
    pending.add(read);
  });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`${harness.server.url}/admin`);
  return {
    context,
    page,
    responses,
    problems,
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: () => context.close(),
  };
}

/** Signs in through the page's form and waits for the settings. */
export async function signIn(page: Page, adminToken: string): Promise<void> {
  await page.getByLabel('Admin token').fill(adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
}

/** The id of the focused element. */
export const focusedId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');

/** The text of the elements an element's aria-describedby points at. */
export function describedByText(page: Page, id: string): Promise<string> {
  return page.evaluate((elementId) => {
    const element = document.getElementById(elementId);
    const ids = (element?.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((describedBy) => document.getElementById(describedBy)?.textContent ?? '').join(' | ');
  }, id);
}
