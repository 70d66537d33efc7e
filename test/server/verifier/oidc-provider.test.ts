/**
 * The `oidc` preset against real OpenID Provider software: panva's certified
 * oidc-provider (v9) on 127.0.0.1. The test drives a real authorization-code
 * flow over HTTP (its development login and consent pages) to get an ID token,
 * and a client-credentials grant for a JWT access token, then verifies both
 * with the issuer alone: discovery, jwks_uri, the exact-issuer rule (OpenID
 * Connect Discovery §4.3) and the machine-token rule.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitorVerifier, validateVisitorSignInConfig, type VisitorSignInConfig } from '../../../src/verifier/index.js';
import { recordingLogger } from './support.js';

const CLIENT_ID = 'shop-web';
const CLIENT_SECRET = 'shop-web-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const REDIRECT_URI = 'https://shop.example/callback';
const API = 'https://api.shop.example';

let server: Server;
let issuer = '';
let idToken = '';
let machineToken = '';
let discoveryFetches = 0;

/** A minimal cookie jar: the provider's login/consent pages keep state in cookies. */
class Jar {
  readonly #cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function step(jar: Jar, url: string, init: RequestInit = {}): Promise<string> {
  const response = await fetch(new URL(url, issuer), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.store(response);
  await response.arrayBuffer();
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect from ${url}, got ${response.status}`);
  return location;
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** Authorization code flow with PKCE through the provider's own login and consent pages. */
async function signInAs(accountId: string): Promise<string> {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL('/auth', issuer);
  for (const [name, value] of Object.entries({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce: randomBytes(8).toString('hex'),
  })) {
    authorize.searchParams.set(name, value);
  }
  let location = await step(jar, authorize.href);
  location = await step(jar, location, form({ prompt: 'login', login: accountId }));
  location = await step(jar, location);
  if (location.includes('/interaction/')) {
    location = await step(jar, location, form({ prompt: 'consent' }));
    location = await step(jar, location);
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const token = await fetch(new URL('/token', issuer), {
    ...form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
  });
  const body = (await token.json()) as { id_token?: string };
  if (!body.id_token) throw new Error(`no id_token: ${JSON.stringify(body)}`);
  return body.id_token;
}

async function clientCredentialsToken(): Promise<string> {
  const response = await fetch(new URL('/token', issuer), {
    ...form({ grant_type: 'client_credentials', resource: API, scope: 'orders:read' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no access_token: ${JSON.stringify(body)}`);
  return body.access_token;
}

beforeAll(async () => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') discoveryFetches++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'client_credentials'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, email: `${id}@example.com` }) };
    },
    claims: { openid: ['sub'], email: ['email'] },
    scopes: ['openid', 'email', 'orders:read'],
    cookies: { keys: ['test-cookie-key-0123456789'] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'orders:read', audience: API, accessTokenFormat: 'jwt' }),
      },
    },
  });
  handler = provider.callback();
  idToken = await signInAs('visitor-42');
  machineToken = await clientCredentialsToken();
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const oidc = (extra: Partial<VisitorSignInConfig> = {}): VisitorSignInConfig => ({ mode: 'jwks', provider: 'oidc', issuer, audience: CLIENT_ID, ...extra });

describe('the oidc preset with oidc-provider', () => {
  it('verifies a real ID token from the issuer alone: discovery, then its jwks_uri', async () => {
    const verifier = createVisitorVerifier(oidc(), { logger: recordingLogger() });
    const before = discoveryFetches;
    expect(await verifier.verifyToken(idToken)).toMatchObject({ ok: true, identity: { userId: 'visitor-42' } });
    expect(discoveryFetches).toBe(before + 1);
    // jwks_uri is what the document names (oidc-provider: <issuer>/jwks), not <issuer>/.well-known/jwks.json.
    expect(verifier.keyStatus().jwksUrl).toBe(`${issuer}/jwks`);
    // Cached like the keys: a second token makes no new discovery fetch.
    expect(await verifier.verifyToken(idToken)).toMatchObject({ ok: true });
    expect(discoveryFetches).toBe(before + 1);
  });

  it("refuses when the document's issuer differs from the configured one, even by a trailing slash or host alias", async () => {
    const port = new URL(issuer).port;
    for (const configured of [`${issuer}/`, `http://localhost:${port}`]) {
      const verifier = createVisitorVerifier(oidc({ issuer: configured }), { logger: recordingLogger() });
      const result = await verifier.verifyToken(idToken);
      expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'discovery-issuer-mismatch' });
      expect(!result.ok && result.message).toMatch(/exactly equal/);
    }
  });

  it('a client-credentials JWT access token from the same provider is a machine token', async () => {
    const verifier = createVisitorVerifier(oidc({ audience: [CLIENT_ID, API] }), { logger: recordingLogger() });
    expect(await verifier.verifyToken(machineToken)).toMatchObject({ ok: false, reason: 'bad-claim', detail: 'machine-token' });
  });

  it('the wrong audience is aud-mismatch; no audience verifies with a warning', async () => {
    const wrong = createVisitorVerifier(oidc({ audience: 'another-client' }), { logger: recordingLogger() });
    expect(await wrong.verifyToken(idToken)).toMatchObject({ ok: false, reason: 'bad-claim', detail: 'aud-mismatch' });
    const open = createVisitorVerifier(oidc({ audience: undefined }), { logger: recordingLogger() });
    expect(await open.verifyToken(idToken)).toMatchObject({ ok: true });
    expect(open.warnings().map((warning) => warning.code)).toEqual(['no-audience']);
  });

  it('an issuer that is not a fetchable URL is refused at save, naming the Issuer', () => {
    for (const typed of ['accounts.google.com', 'http://idp.example.com', `${issuer}/.well-known/openid-configuration`]) {
      const checked = validateVisitorSignInConfig({ mode: 'jwks', provider: 'oidc', issuer: typed });
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(Object.keys(checked.fields)).toEqual(['issuer']);
    }
    expect(validateVisitorSignInConfig({ mode: 'jwks', provider: 'oidc', issuer }).ok).toBe(true);
  });

  it('without an issuer the oidc preset is config-incomplete', async () => {
    const verifier = createVisitorVerifier({ mode: 'jwks', provider: 'oidc' }, { logger: recordingLogger() });
    expect(await verifier.verifyToken(idToken)).toMatchObject({ ok: false, reason: 'config-incomplete', detail: 'no-issuer' });
  });
});

describe('a discovery URL in the JWKS URL field', () => {
  it('is refused on save, with a message naming the issuer to use with the OpenID Connect provider', () => {
    const checked = validateVisitorSignInConfig({ mode: 'jwks', jwksUrl: `${issuer}/.well-known/openid-configuration` });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.fields.jwksUrl).toBe(`This is an OpenID discovery document, not a key set: choose the OpenID Connect provider with Issuer ${issuer}, or enter the jwks_uri the document names.`);
  });

  it('is recognised by its content when fetched, and its jwks_uri used', async () => {
    const verifier = createVisitorVerifier({ mode: 'jwks', jwksUrl: `${issuer}/.well-known/openid-configuration`, issuer, audience: CLIENT_ID }, { logger: recordingLogger() });
    expect(await verifier.verifyToken(idToken)).toMatchObject({ ok: true, identity: { userId: 'visitor-42' } });
    expect(verifier.keyStatus().jwksUrl).toBe(`${issuer}/jwks`);
  });
});
