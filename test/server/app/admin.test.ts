import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/backend/store.js';
import { signHs256, forgeSignature } from '../../helpers/tokens.js';
import { ADMIN_PATH, SITE_ORIGIN, leakedLines, newMessageId, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const getConfig = async () => (await h.admin('GET', ADMIN_PATH)).json() as Promise<Record<string, unknown>>;

describe('admin authentication', () => {
  const endpoints: [string, string, unknown?][] = [
    ['GET', ADMIN_PATH],
    ['PUT', ADMIN_PATH, { mode: 'off' }],
    ['POST', `${ADMIN_PATH}/hmac-secret`],
    ['POST', `${ADMIN_PATH}/test`, { token: 'a.b.c' }],
    ['GET', `${ADMIN_PATH}/key-status`],
  ];
  it.each(endpoints)('%s %s without a token is 401 with WWW-Authenticate and changes nothing', async (method, path, body) => {
    const before = await getConfig();
    const response = await fetch(new URL(path, h.url), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="quincer-admin"/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(await getConfig()).toEqual(before);
  });

  it.each([
    ['a wrong token', `Bearer ${'x'.repeat(43)}`],
    ['the right token with one character changed', 'WRONG'],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
  ])('%s is 401', async (_label, header) => {
    const value = header === 'WRONG' ? `Bearer ${h.adminToken.slice(0, -1)}${h.adminToken.endsWith('A') ? 'B' : 'A'}` : header;
    const response = await fetch(new URL(ADMIN_PATH, h.url), { headers: { authorization: value } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('the right token is accepted, with the bearer scheme in any case', async () => {
    const response = await fetch(new URL(ADMIN_PATH, h.url), { headers: { authorization: `bearer ${h.adminToken}` } });
    expect(response.status).toBe(200);
  });
});

describe('GET and PUT /v1/admin/visitor-sign-in', () => {
  it('GET returns every setting, hmacSecretSet, and never a secret', async () => {
    const config = await getConfig();
    expect(config).toEqual({
      mode: 'jwks',
      provider: 'custom',
      jwksUrl: h.jwks.url,
      issuer: null,
      audience: null,
      auth0Domain: null,
      cognitoUserPoolId: null,
      cognitoTokenUse: null,
      clerkFrontendApiUrl: null,
      authorizedParties: null,
      firebaseProjectId: null,
      claimMapping: null,
      signInUrl: 'https://login.shop.example/sign-in',
      allowedOrigins: [SITE_ORIGIN],
      hmacSecretSet: false,
      // Issue 9: an empty Issuer or Audience is valid but shown as a risk.
      warnings: [
        { code: 'no-issuer', message: expect.stringMatching(/^Issuer is empty/) },
        { code: 'no-audience', message: expect.stringMatching(/any application of this tenant can sign visitors in/) },
      ],
    });
  });

  it('a bad config is a 400 with a message per field, and the stored config is unchanged', async () => {
    const before = await getConfig();
    const response = await h.admin('PUT', ADMIN_PATH, {
      mode: 'sometimes',
      jwksUrl: 'not a url',
      hmacSecret: 'short',
      claimMapping: { userId: 'email' },
      allowedOrigins: ['https://shop.example/path'],
      colour: 'blue',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(body.error.code).toBe('invalid-config');
    expect(Object.keys(body.error.fields).sort()).toEqual(
      ['allowedOrigins', 'claimMapping', 'colour', 'hmacSecret', 'jwksUrl', 'mode'].sort(),
    );
    for (const message of Object.values(body.error.fields)) expect(message.length).toBeGreaterThan(10);
    expect(JSON.stringify(body)).not.toContain('short"');
    expect(await getConfig()).toEqual(before);
  });

  it.each([
    ['allowedOrigins not an array', { mode: 'off', allowedOrigins: 'https://shop.example' }, 'allowedOrigins'],
    ['an origin with a trailing slash', { mode: 'off', allowedOrigins: ['https://shop.example/'] }, 'allowedOrigins'],
    ['a non-http origin', { mode: 'off', allowedOrigins: ['ftp://shop.example'] }, 'allowedOrigins'],
    ['a number for the issuer', { mode: 'jwks', issuer: 42 }, 'issuer'],
    ['an http JWKS URL on a public host', { mode: 'jwks', jwksUrl: 'http://keys.example.com/jwks.json' }, 'jwksUrl'],
    ['a __proto__ field', JSON.parse('{"mode":"off","__proto__":{"polluted":true}}'), '__proto__'],
  ])('rejects %s', async (_label, config, field) => {
    const before = await getConfig();
    const response = await h.admin('PUT', ADMIN_PATH, config);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields)).toContain(field);
    expect(await getConfig()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('malformed JSON and a non-object body are 4xx and change nothing', async () => {
    const before = await getConfig();
    for (const body of ['{"mode":', '[1,2]', '"off"', 'null']) {
      const response = await h.admin('PUT', ADMIN_PATH, body);
      expect(response.status).toBe(400);
    }
    const wrongType = await h.admin('PUT', ADMIN_PATH, undefined, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(await getConfig()).toEqual(before);
  });

  it('a good config is stored and answered like GET; null and "" clear optional settings', async () => {
    const response = await h.admin('PUT', ADMIN_PATH, {
      mode: 'jwks',
      jwksUrl: h.jwks.url,
      issuer: 'https://issuer.example/',
      audience: '',
      claimMapping: { userId: 'sub', email: 'email', tier: 'https://acme.example/tier' },
      signInUrl: null,
      allowedOrigins: [SITE_ORIGIN, 'http://localhost:5173'],
      hmacSecretSet: true,
    });
    expect(response.status).toBe(200);
    const saved = (await response.json()) as Record<string, unknown>;
    expect(saved).toEqual(await getConfig());
    expect(saved).toMatchObject({ issuer: 'https://issuer.example/', audience: null, signInUrl: null, hmacSecretSet: false });
    const widgetConfig = await (await fetch(new URL('/v1/widget-config', h.url))).json();
    expect(widgetConfig).toEqual({ signInUrl: null });
  });
});

describe('the HMAC secret', () => {
  let secret: string;

  it('POST hmac-secret returns a fresh 43-character base64url secret once; GET shows only hmacSecretSet', async () => {
    const response = await h.admin('POST', `${ADMIN_PATH}/hmac-secret`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { hmacSecret: string };
    secret = body.hmacSecret;
    h.sensitive.add(secret);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);

    const again = (await (await h.admin('POST', `${ADMIN_PATH}/hmac-secret`)).json()) as { hmacSecret: string };
    h.sensitive.add(again.hmacSecret);
    expect(again.hmacSecret).not.toBe(secret);
    secret = again.hmacSecret;

    const view = await h.admin('GET', ADMIN_PATH);
    const text = await view.text();
    expect(JSON.parse(text).hmacSecretSet).toBe(true);
    expect(text).not.toContain(secret);
  });

  it('HMAC mode verifies tokens signed with the generated secret; a PUT without hmacSecret keeps it', async () => {
    const put = await h.admin('PUT', ADMIN_PATH, { mode: 'hmac', allowedOrigins: [SITE_ORIGIN] });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { hmacSecretSet: boolean }).hmacSecretSet).toBe(true);
    const token = await signHs256({ sub: 'alice', email: 'alice@example.com' }, secret);
    h.sensitive.add(token);
    const result = await (await h.admin('POST', `${ADMIN_PATH}/test`, { token })).json();
    expect(result).toEqual({ ok: true, identity: { userId: 'alice', email: 'alice@example.com' } });

    // The chat gate uses the same verifier: HS256 tokens open the secure tools.
    const chat = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token });
    expect(chat.body.reply).toMatchObject({ type: 'answer', tool: 'account-balance', text: 'Your account balance is $1,284.50.' });
    const rs256 = await h.token({ sub: 'alice' });
    const wrongMode = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token: rs256 });
    expect(wrongMode.body.reply).toMatchObject({ type: 'refusal', reason: 'bad-signature' });

    // An empty hmacSecret (an untouched form field) keeps the stored secret too.
    const untouched = await h.admin('PUT', ADMIN_PATH, { mode: 'hmac', hmacSecret: '', allowedOrigins: [SITE_ORIGIN] });
    expect(((await untouched.json()) as { hmacSecretSet: boolean }).hmacSecretSet).toBe(true);
    expect(await (await h.admin('POST', `${ADMIN_PATH}/test`, { token })).json()).toMatchObject({ ok: true });
  });

  it('the raw bytes of the SQLite file and its WAL never contain the secret', () => {
    const secretBytes = Buffer.from(secret, 'base64url');
    for (const file of [DATABASE_FILE, `${DATABASE_FILE}-wal`]) {
      const path = join(h.dataDir, file);
      if (!existsSync(path)) continue;
      const raw = readFileSync(path);
      expect(raw.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(raw.includes(secretBytes)).toBe(false);
    }
    expect(existsSync(join(h.dataDir, DATABASE_FILE))).toBe(true);
  });

  it('a customer-supplied secret is accepted from 32 characters, and hmacSecret: null removes it', async () => {
    const customerSecret = 'c'.repeat(20) + 'customer-secret-0123';
    h.sensitive.add(customerSecret);
    const put = await h.admin('PUT', ADMIN_PATH, { mode: 'hmac', hmacSecret: customerSecret, allowedOrigins: [] });
    expect(put.status).toBe(200);
    const token = await signHs256({ sub: 'bob' }, customerSecret);
    h.sensitive.add(token);
    expect(await (await h.admin('POST', `${ADMIN_PATH}/test`, { token })).json()).toEqual({ ok: true, identity: { userId: 'bob' } });
    const raw = readFileSync(join(h.dataDir, DATABASE_FILE));
    expect(raw.includes(Buffer.from(customerSecret))).toBe(false);

    const cleared = await h.admin('PUT', ADMIN_PATH, { mode: 'hmac', hmacSecret: null });
    expect(((await cleared.json()) as { hmacSecretSet: boolean }).hmacSecretSet).toBe(false);
    const result = (await (await h.admin('POST', `${ADMIN_PATH}/test`, { token })).json()) as { ok: boolean; reason: string };
    expect(result).toMatchObject({ ok: false, reason: 'config-incomplete' });
  });
});

describe('POST /v1/admin/visitor-sign-in/test and key-status', () => {
  beforeAll(async () => {
    const put = await h.admin('PUT', ADMIN_PATH, { mode: 'jwks', jwksUrl: h.jwks.url, allowedOrigins: [SITE_ORIGIN] });
    expect(put.status).toBe(200);
  });

  it('answers the resolved identity for a valid token', async () => {
    const token = await h.token({ sub: 'carol', email: 'carol@example.com', plan: 'pro' });
    const response = await h.admin('POST', `${ADMIN_PATH}/test`, { token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, identity: { userId: 'carol', email: 'carol@example.com', plan: 'pro' } });
  });

  it.each([
    ['expired', async () => h.token({ sub: 'carol' }, { expiresIn: -3600 })],
    ['bad-signature', async () => forgeSignature(await h.token({ sub: 'carol' }))],
    ['malformed-token', async () => 'not-a-jwt'],
    ['bad-claim', async () => h.token({ email: 'x@example.com' })],
  ])('answers reason %s with a message that carries no token', async (reason, make) => {
    const token = await make();
    h.sensitive.add(token);
    const body = (await (await h.admin('POST', `${ADMIN_PATH}/test`, { token })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: false, reason });
    expect(typeof body.message).toBe('string');
    expect(String(body.message)).not.toContain(token);
  });

  it('refreshJwks picks up rotated keys at once', async () => {
    await h.jwks.rotate();
    const token = await h.token({ sub: 'alice' });
    const refreshed = await (await h.admin('POST', `${ADMIN_PATH}/test`, { token, refreshJwks: true })).json();
    expect(refreshed).toEqual({ ok: true, identity: { userId: 'alice' } });
    const status = (await (await h.admin('GET', `${ADMIN_PATH}/key-status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ mode: 'jwks', jwksUrl: h.jwks.url, lastFetchError: null });
    expect(status.kids).toContain(h.jwks.keys.get('RS256')!.kid);
    expect(typeof status.fetchedAt).toBe('number');
  });

  it.each([
    [{}, 'token'],
    [{ token: 42 }, 'token'],
    [{ token: 'a.b.c', refreshJwks: 'yes' }, 'refreshJwks'],
    [{ token: 'a.b.c', extra: 1 }, 'extra'],
  ])('rejects a bad body %j with 400 naming %s', async (body, field) => {
    const response = await h.admin('POST', `${ADMIN_PATH}/test`, body);
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { fields: Record<string, string> } }).error;
    expect(Object.keys(error.fields)).toContain(field);
  });
});

describe('admin endpoints have no CORS', () => {
  it('a preflight from the allowed site origin gets no Access-Control-Allow-Origin', async () => {
    const response = await fetch(new URL(ADMIN_PATH, h.url), {
      method: 'OPTIONS',
      headers: { origin: SITE_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const get = await h.admin('GET', ADMIN_PATH, undefined, { origin: SITE_ORIGIN });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('logs', () => {
  it('contain no token, admin token, master key or secret', () => {
    expect(h.logs.length).toBeGreaterThan(10);
    expect(leakedLines(h)).toEqual([]);
  });
});
