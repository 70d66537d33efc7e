// Provider presets, warnings and the Test card's diagnostics (issue 9) in a real Chromium against
// the real backend and a real JWKS server: each preset shows only what its console gives you and
// the values derived from it; empty Issuer/Audience is saved with a warning; a shared key set
// without both is refused at the fields; a failed test shows the detail code, its fix, and the
// token's claims beside the saved settings.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_DETAILS } from '../../../src/protocol/reasons.js';
import { describedByText, openAdminPage, signIn, startHarness, type AdminPage, type Harness } from './support.js';

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

async function open(): Promise<Page> {
  opened = await openAdminPage(harness);
  await signIn(opened.page, harness.server.adminToken);
  return opened.page;
}

async function save(page: Page, outcome: 'Saved.' | 'not saved'): Promise<void> {
  await page.getByRole('button', { name: 'Save' }).click();
  if (outcome === 'Saved.') await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  else await page.getByRole('alert').filter({ hasText: 'not saved' }).waitFor();
}

describe('provider presets on the config page', () => {
  it('Firebase: only the project id is asked for; the x509 URL, issuer and audience are derived and saved', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const page = await open();
    await page.getByLabel('Identity provider').selectOption('firebase');
    expect(await page.getByLabel('JWKS URL').count()).toBe(0);
    expect(await page.getByLabel('Issuer (optional)').count()).toBe(0);
    await page.getByLabel('Firebase project ID').fill('acme-shop-1a2b3');
    const derived = page.getByTestId('derived');
    await derived.getByText('https://securetoken.google.com/acme-shop-1a2b3').waitFor();
    expect(await derived.textContent()).toContain('https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com');
    await save(page, 'Saved.');
    expect(await harness.getConfig()).toMatchObject({ provider: 'firebase', firebaseProjectId: 'acme-shop-1a2b3', jwksUrl: null, issuer: null, warnings: [] });
    expect(await page.getByTestId('config-warnings').count()).toBe(0);
  });

  it('Auth0 without an audience saves, and the page warns that any application of the tenant can sign visitors in', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const page = await open();
    await page.getByLabel('Identity provider').selectOption('auth0');
    await page.getByLabel('Auth0 domain').fill('acme.eu.auth0.com');
    await page.getByTestId('derived').getByText('https://acme.eu.auth0.com/', { exact: true }).waitFor();
    await save(page, 'Saved.');
    const warnings = page.getByTestId('config-warnings');
    await warnings.waitFor();
    expect(await warnings.textContent()).toMatch(/any application of this tenant can sign visitors in/);
    expect(await harness.getConfig()).toMatchObject({ provider: 'auth0', auth0Domain: 'acme.eu.auth0.com', audience: null });
  });

  it('Cognito: pool id, app client ids (several) and the accepted token kind', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const page = await open();
    await page.getByLabel('Identity provider').selectOption('cognito');
    await page.getByLabel('User pool ID').fill('eu-west-1_AbC123xyz');
    await page.getByLabel('App client ID(s)').fill('client-web\nclient-mobile');
    await page.getByLabel('Accepted tokens').selectOption('both');
    await save(page, 'Saved.');
    expect(await harness.getConfig()).toMatchObject({ provider: 'cognito', audience: ['client-web', 'client-mobile'], cognitoTokenUse: 'both' });
  });

  it("a shared key set (Google's certificates) without Issuer and Audience is refused at both fields", async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const before = await harness.getConfig();
    const page = await open();
    await page.getByLabel('JWKS URL').fill('https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com');
    await save(page, 'not saved');
    expect(await describedByText(page, 'issuer')).toMatch(/shared by every project or tenant/);
    expect(await describedByText(page, 'audience')).toMatch(/set Issuer and Audience/);
    expect(await harness.getConfig()).toEqual(before);
  });

  it('a discovery URL typed as the JWKS URL is refused with the issuer to use instead', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url });
    const page = await open();
    await page.getByLabel('JWKS URL').fill('https://idp.example.com/tenant/.well-known/openid-configuration');
    await save(page, 'not saved');
    expect(await describedByText(page, 'jwksUrl')).toMatch(/OpenID Connect provider with Issuer https:\/\/idp\.example\.com\/tenant/);
  });
});

describe('the Test card names the mismatch', () => {
  it('a token without aud: the detail code, its fix, and the claims beside the settings', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url, issuer: 'https://idp.example/', audience: 'shop-web' });
    const page = await open();
    const token = await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/', client_id: 'shop-web', token_use: 'access' });
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByTestId('reason-detail').waitFor();
    expect(await page.getByTestId('reason').textContent()).toBe('bad-claim');
    expect(await page.getByTestId('reason-detail').textContent()).toBe('aud-missing');
    expect(await page.getByTestId('reason-message').textContent()).toMatch(/Cognito access tokens never carry aud/);
    expect(await page.getByTestId('detail-fix').textContent()).toBe(FAILURE_DETAILS['aud-missing'].fix);
    const compare = page.getByTestId('claims-compare');
    expect(await compare.locator('tr[data-claim="aud"]').textContent()).toMatch(/\(none\).*Audience: shop-web/);
    expect(await compare.locator('tr[data-claim="iss"]').textContent()).toMatch(/https:\/\/idp\.example\/.*Issuer: https:\/\/idp\.example\//);
    expect(await compare.locator('tr[data-claim="azp"]').textContent()).toContain('shop-web');
    expect(await compare.locator('tr[data-claim="token_use"]').textContent()).toContain('access');
    expect(await compare.locator('tr[data-claim="sub"]').textContent()).toContain('visitor-7');
  });

  it('an issuer that differs by a trailing slash says so; a missing Audience is repeated as a warning beside the verdict', async () => {
    await harness.putConfig({ mode: 'jwks', jwksUrl: harness.jwks.url, issuer: 'https://idp.example' });
    const page = await open();
    await page.getByLabel('Token', { exact: true }).fill(await harness.jwks.sign({ sub: 'visitor-7', iss: 'https://idp.example/' }));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByTestId('reason-detail').waitFor();
    expect(await page.getByTestId('reason-detail').textContent()).toBe('iss-trailing-slash');
    expect(await page.getByTestId('reason-message').textContent()).toMatch(/trailing slash/);
    expect(await page.getByTestId('test-warnings').textContent()).toMatch(/any application of this tenant can sign visitors in/);
  });
});
