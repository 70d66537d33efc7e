// The Test a token card in a real Chromium against the real backend and a real JWKS server:
// the verdict, the reason with the documentation's fix, key rotation with Refresh JWKS + verify,
// the decoded header and lifetime, and the key status.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REASON_HELP } from '../../../src/protocol/reasons.js';
import { openAdminPage, signIn, startHarness, type AdminPage, type Harness } from './support.js';

let harness: Harness;
let opened: AdminPage | null = null;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});
beforeEach(async () => {
  // Every test starts from a freshly saved config, hence a fresh verifier with an empty key cache.
  await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url, issuer: 'https://idp.example/' });
  opened = await openAdminPage(harness);
  page = opened.page;
  await signIn(page, harness.server.adminToken);
});
afterEach(async () => {
  if (opened) expect(opened.problems).toEqual([]);
  await opened?.close();
  opened = null;
});

async function verify(token: string, button: 'Verify' | 'Refresh JWKS + verify' = 'Verify'): Promise<void> {
  const result = page.getByTestId('test-result');
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: button, exact: true }).click();
  await result.getByText(/^(Verified|Not verified: .*|The test could not run: .*)$/).waitFor();
}

const identityShown = async (): Promise<unknown> => JSON.parse((await page.getByTestId('identity').textContent()) ?? 'null');
const reasonShown = (): Promise<string | null> => page.getByTestId('reason').textContent();

describe('Test a token', () => {
  it('shows a green Verified with the identity exactly as tools see it', async () => {
    const token = await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/', email: 'ada@example.com', plan: 'pro' });
    await verify(token);
    expect(await page.getByTestId('test-result').locator('.result.good').count()).toBe(1);
    expect(await identityShown()).toEqual({ userId: 'visitor-7', email: 'ada@example.com', plan: 'pro' });
    // The same answer the admin API gives: the page adds nothing and drops nothing.
    const response = await fetch(`${harness.server.url}/v1/admin/visitor-sign-in/test`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${harness.server.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(await response.json()).toEqual({ ok: true, identity: await identityShown() });
  });

  it('shows the reason, the message and the documented fix for an expired token', async () => {
    const token = await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }, { now: Date.now() - 3 * 3_600_000, expiresIn: 3600 });
    await verify(token);
    expect(await reasonShown()).toBe('expired');
    expect(((await page.getByTestId('reason-message').textContent()) ?? '').length).toBeGreaterThan(10);
    expect(await page.getByTestId('reason-fix').textContent()).toBe(REASON_HELP.expired.fix);
    expect(await page.getByTestId('test-result').locator('.result.bad').count()).toBe(1);
    await page.getByTestId('token-expired').waitFor();
  });

  it('shows bad-claim with its fix when the issuer does not match', async () => {
    await verify(await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://someone-else.example/' }));
    expect(await reasonShown()).toBe('bad-claim');
    expect(await page.getByTestId('reason-fix').textContent()).toBe(REASON_HELP['bad-claim'].fix);
  });

  it('refuses a token from a rotated key until Refresh JWKS + verify re-pulls the keys', async () => {
    await verify(await harness.jwks.sign({ sub: 'before-rotation', iss: 'https://idp.example/' }));
    expect(await identityShown()).toEqual({ userId: 'before-rotation' });
    const oldKid = harness.jwks.keys.get('RS256')?.kid ?? '';
    await page.getByTestId('key-ids').getByText(oldKid).waitFor();

    await harness.jwks.rotate();
    const newKid = harness.jwks.keys.get('RS256')?.kid ?? '';
    const rotated = await harness.jwks.sign({ sub: 'after-rotation', iss: 'https://idp.example/' });
    await verify(rotated);
    expect(await reasonShown()).toBe('bad-signature');
    expect(await page.getByTestId('reason-fix').textContent()).toBe(REASON_HELP['bad-signature'].fix);
    expect(await page.getByTestId('token-kid').textContent()).toBe(newKid);
    expect(await page.getByTestId('key-ids').getByText(newKid).count()).toBe(0);

    await verify(rotated, 'Refresh JWKS + verify');
    expect(await page.getByText('keys re-pulled first').count()).toBe(1);
    expect(await identityShown()).toEqual({ userId: 'after-rotation' });
    await page.getByTestId('key-ids').getByText(newKid).waitFor();
    expect(await page.getByTestId('key-ids').getByText(oldKid).count()).toBe(0);
  });

  it('shows the key status with the last fetch error when the JWKS URL fails', async () => {
    await harness.jwks.setMode('status-500');
    try {
      await verify(await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }), 'Refresh JWKS + verify');
      expect(await reasonShown()).toBe('jwks-fetch-failed');
      expect(await page.getByTestId('reason-fix').textContent()).toBe(REASON_HELP['jwks-fetch-failed'].fix);
      expect(await page.getByTestId('last-fetch-error').textContent()).not.toBe('none');
      expect(await page.getByText(harness.jwks.url, { exact: true }).count()).toBeGreaterThan(0);
    } finally {
      await harness.jwks.setMode('normal');
    }
  });

  it('decodes the header and lifetime (unverified) and warns above 24 hours', async () => {
    const es256 = harness.jwks.keys.get('ES256');
    const yearLong = await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }, { alg: 'ES256', expiresIn: 365 * 86_400 });
    await page.getByLabel('Token', { exact: true }).fill(yearLong);
    await page.getByText('Decoded without verification, for display only').waitFor();
    expect(await page.getByTestId('token-alg').textContent()).toBe('ES256');
    expect(await page.getByTestId('token-kid').textContent()).toBe(es256?.kid);
    expect(await page.getByTestId('token-lifetime').textContent()).toBe('365 d');
    expect(await page.getByTestId('lifetime-warning').textContent()).toContain("Don't issue 1-year tokens");

    const hourLong = await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }, { expiresIn: 3600 });
    await page.getByLabel('Token', { exact: true }).fill(hourLong);
    expect(await page.getByTestId('token-lifetime').textContent()).toBe('1 h');
    expect(await page.getByTestId('lifetime-warning').count()).toBe(0);

    const dayAndASecond = await harness.jwks.sign({ sub: 'visitor-7' }, { expiresIn: 86_401 });
    await page.getByLabel('Token', { exact: true }).fill(dayAndASecond);
    expect(await page.getByTestId('lifetime-warning').count()).toBe(1);
    const exactlyADay = await harness.jwks.sign({ sub: 'visitor-7' }, { expiresIn: 86_400 });
    await page.getByLabel('Token', { exact: true }).fill(exactlyADay);
    expect(await page.getByTestId('lifetime-warning').count()).toBe(0);
  });

  it('explains a value that is not a token, before and after Verify', async () => {
    await verify('Bearer not-a-token');
    expect(await reasonShown()).toBe('malformed-token');
    await page.getByText('Not a compact JWS: expected').waitFor();
  });

  it('axe finds no serious or critical violation with a result and token details shown', async () => {
    await verify(await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }, { expiresIn: 400 * 86_400 }));
    const serious = async () =>
      (await new AxeBuilder({ page }).analyze()).violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    expect(await serious()).toEqual([]);
    await verify(await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://other.example/' }));
    expect(await serious()).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await serious()).toEqual([]);
  });
});
