// The config page in a real Chromium against the real backend: signing in, the settings,
// per-field errors, and the HMAC secret that is shown exactly once.
import AxeBuilder from '@axe-core/playwright';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signHs256 } from '../../helpers/tokens.js';
import { describedByText, focusedId, openAdminPage, signIn, startHarness, type AdminPage, type Harness } from './support.js';

let harness: Harness;
let opened: AdminPage | null = null;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});
afterEach(async () => {
  if (opened) expect(opened.problems).toEqual([]);
  await opened?.close();
  opened = null;
});

async function open(): Promise<AdminPage> {
  opened = await openAdminPage(harness);
  return opened;
}

describe('GET /admin', () => {
  it('serves the shell with a strict CSP and no inline script, style or data', async () => {
    const response = await fetch(`${harness.server.url}/admin`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const script = await fetch(`${harness.server.url}/admin/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const style = await fetch(`${harness.server.url}/admin/app.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
  });
});

describe('signing in', () => {
  it('refuses a wrong admin token at the field, then keeps the right one in sessionStorage only', async () => {
    const { page, context } = await open();
    await page.getByLabel('Admin token').fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => describedByText(page, 'admin-token')).toContain('refused');
    expect(await page.getByLabel('Admin token').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => focusedId(page)).toBe('admin-token');

    await signIn(page, harness.server.adminToken);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(page.url()).toBe(`${harness.server.url}/admin`);
    expect(await page.evaluate(() => sessionStorage.getItem('quincer-admin-token'))).toBe(harness.server.adminToken);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);

    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('forgets a remembered admin token the server refuses, and says so', async () => {
    opened = await openAdminPage(harness, () => sessionStorage.setItem('quincer-admin-token', 'stale-admin-token-0123456789'));
    const { page } = opened;
    await expect.poll(() => describedByText(page, 'admin-token')).toContain('refused');
    expect(await page.evaluate(() => sessionStorage.getItem('quincer-admin-token'))).toBeNull();
  });
});

describe('settings', () => {
  it("switches modes, showing each mode's fields, and saves", async () => {
    await harness.putConfig({ mode: 'off' });
    const { page } = await open();
    await signIn(page, harness.server.adminToken);
    // The three modes form one group a screen reader announces as "Mode".
    expect(await page.getByRole('group', { name: 'Mode', exact: true }).getByRole('radio').count()).toBe(3);
    expect(await page.getByRole('radio', { name: 'Off' }).isChecked()).toBe(true);
    expect(await page.getByLabel('JWKS URL').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Generate/ }).count()).toBe(0);

    await page.getByRole('radio', { name: 'HMAC shared secret' }).check();
    await page.getByRole('button', { name: 'Generate' }).waitFor();
    expect(await page.getByLabel('JWKS URL').count()).toBe(0);
    expect(await page.getByLabel('Issuer (optional)').count()).toBe(1);

    await page.getByRole('radio', { name: 'JWT + JWKS' }).check();
    expect(await page.getByRole('button', { name: /^Generate/ }).count()).toBe(0);
    await page.getByLabel('JWKS URL').fill(harness.jwks.url);
    await page.getByLabel('Issuer (optional)').fill('https://idp.example/');
    await page.getByLabel('Claim mapping (JSON, optional)').fill('{ "userId": "sub", "email": "email" }');
    await page.getByLabel('Allowed site origins').fill('https://shop.example\nhttps://www.shop.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    expect(await harness.getConfig()).toEqual({
      mode: 'jwks',
      jwksUrl: harness.jwks.url,
      provider: 'custom',
      issuer: 'https://idp.example/',
      audience: null,
      auth0Domain: null,
      cognitoUserPoolId: null,
      cognitoTokenUse: null,
      clerkFrontendApiUrl: null,
      authorizedParties: null,
      firebaseProjectId: null,
      claimMapping: { userId: 'sub', email: 'email' },
      signInUrl: null,
      allowedOrigins: ['https://shop.example', 'https://www.shop.example'],
      hmacSecretSet: false,
      warnings: [{ code: 'no-audience', message: expect.stringMatching(/any application of this tenant/) }],
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.getByRole('radio', { name: 'JWT + JWKS' }).isChecked()).toBe(true);
    expect(await page.getByLabel('JWKS URL').inputValue()).toBe(harness.jwks.url);
  });

  it('checks the claim mapping as you type, with the error tied to the field', async () => {
    const { page } = await open();
    await signIn(page, harness.server.adminToken);
    const mapping = page.getByLabel('Claim mapping (JSON, optional)');
    await mapping.fill('{ "userId": "sub", ');
    expect(await mapping.getAttribute('aria-invalid')).toBe('true');
    expect(await describedByText(page, 'claimMapping')).toContain('Not valid JSON');
    await mapping.fill('{ "userId": "email" }');
    expect(await describedByText(page, 'claimMapping')).toContain('"userId" can only be "sub"');
    await mapping.fill('{ "userId": "sub" }');
    expect(await mapping.getAttribute('aria-invalid')).toBeNull();
  });

  it("shows the server's per-field errors at the fields, focuses the first, and stores nothing", async () => {
    const before = await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url, signInUrl: 'https://shop.example/sign-in' });
    const { page } = await open();
    await signIn(page, harness.server.adminToken);
    await page.getByLabel('JWKS URL').fill('http://idp.example/jwks.json');
    await page.getByLabel('Sign-in URL (optional)').fill('ftp://shop.example/sign-in');
    await page.getByLabel('Allowed site origins').fill('https://shop.example/with/a/path');
    await page.getByLabel('Issuer (optional)').fill('  https://idp.example/  ');
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('alert').filter({ hasText: 'not saved' }).waitFor();
    expect(await describedByText(page, 'jwksUrl')).toContain('https://');
    expect(await describedByText(page, 'signInUrl')).toMatch(/https/);
    expect(await describedByText(page, 'allowedOrigins')).toContain('allowedOrigins[0] must be an origin');
    for (const id of ['jwksUrl', 'signInUrl', 'allowedOrigins']) {
      expect(await page.locator(`#${id}`).getAttribute('aria-invalid')).toBe('true');
    }
    await expect.poll(() => focusedId(page)).toBe('jwksUrl');
    expect(await harness.getConfig()).toEqual(before);

    // Editing a field clears its server error; the others stay until the next save.
    await page.getByLabel('JWKS URL').fill(harness.jwks.url);
    expect(await page.locator('#jwksUrl').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#signInUrl').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('HMAC secret', () => {
  it('is shown once with a copy button and a warning, is never sent again, and verifies tokens', async () => {
    await harness.putConfig({ mode: 'hmac' });
    const first = await open();
    const { page, context } = first;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.server.url });
    await signIn(page, harness.server.adminToken);
    expect(await page.getByText('No secret yet').count()).toBe(1);

    await page.getByRole('button', { name: 'Generate' }).click();
    const secretBox = page.getByRole('textbox', { name: 'New HMAC secret' });
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => focusedId(page)).toBe('hmac-secret-value');
    expect(await describedByText(page, 'hmac-secret-value')).toContain('will not be shown again');
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // Switching modes before dismissing it cannot lose the only copy.
    await page.getByRole('radio', { name: 'Off' }).check();
    expect(await page.getByRole('textbox', { name: 'New HMAC secret' }).inputValue()).toBe(secret);
    await page.getByRole('radio', { name: 'HMAC shared secret' }).check();

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await expect.poll(() => focusedId(page)).toBe('hmac-generate');
    expect(await page.getByRole('textbox', { name: 'New HMAC secret' }).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByText('A secret is set').waitFor();
    expect(await page.content()).not.toContain(secret);

    // The secret works: a token signed the documented way verifies in the Test card.
    const token = await signHs256({ sub: 'hmac-visitor', plan: 'pro' }, secret);
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('Verified', { exact: true }).waitFor();
    expect(JSON.parse((await page.getByTestId('identity').textContent()) ?? '')).toEqual({ userId: 'hmac-visitor', plan: 'pro' });

    // Generating again asks first.
    await page.getByRole('button', { name: 'Generate a new secret' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('textbox', { name: 'New HMAC secret' }).count()).toBe(0);

    await first.settle();
    const generated = first.responses.filter((response) => response.url.endsWith('/hmac-secret'));
    expect(generated).toHaveLength(1);
    const others = first.responses.filter((response) => !response.url.endsWith('/hmac-secret'));
    expect(others.some((response) => response.url.endsWith('/v1/admin/visitor-sign-in'))).toBe(true);
    expect(others.some((response) => response.url.endsWith('/admin'))).toBe(true);
    for (const response of others) expect(response.body, `${response.method} ${response.url}`).not.toContain(secret);
    expect(JSON.stringify(await harness.getConfig())).not.toContain(secret);
    expect((await harness.getConfig()).hmacSecretSet).toBe(true);
  });
});

describe('accessibility', () => {
  it('axe finds no serious or critical violation on the sign-in form and the settings with errors', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const { page } = await open();
    const serious = async () =>
      (await new AxeBuilder({ page }).analyze()).violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    expect(await serious()).toEqual([]);
    await signIn(page, harness.server.adminToken);
    await page.getByLabel('JWKS URL').fill('http://idp.example/jwks.json');
    await page.getByLabel('Claim mapping (JSON, optional)').fill('{ nope');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').waitFor();
    expect(await serious()).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await serious()).toEqual([]);
  });
});
