import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryResponse } from '../../../src/protocol/chat.js';
import { MASTER_KEY_FILE } from '../../../src/backend/secrets.js';
import { DATABASE_FILE } from '../../../src/backend/store.js';
import { startServer } from '../../../src/backend/server.js';
import { ADMIN_PATH, SITE_ORIGIN, leakedLines, newMessageId, startHarness, type Harness } from './harness.js';

describe('a restart on the same data folder and master key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps the config (with the sealed secret) and the conversations', async () => {
    const secret = ((await (await h.admin('POST', `${ADMIN_PATH}/hmac-secret`)).json()) as { hmacSecret: string }).hmacSecret;
    h.sensitive.add(secret);
    const put = await h.admin('PUT', ADMIN_PATH, {
      mode: 'jwks',
      jwksUrl: h.jwks.url,
      issuer: 'https://issuer.example/',
      claimMapping: { userId: 'sub', email: 'email' },
      signInUrl: 'https://login.shop.example/sign-in',
      allowedOrigins: [SITE_ORIGIN],
    });
    expect(put.status).toBe(200);
    const configBefore = await (await h.admin('GET', ADMIN_PATH)).json();
    const alice = await h.token({ sub: 'alice', email: 'alice@example.com', iss: 'https://issuer.example/' });
    const owned = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token: alice });
    expect(owned.body.reply.type).toBe('answer');
    const anonymous = await h.chat({ messageId: newMessageId(), text: 'Where is order #ABC123?' });
    const historyBefore = (await (await h.history(owned.body.conversationId, alice)).json()) as HistoryResponse;

    await h.restart();

    expect(await (await h.admin('GET', ADMIN_PATH)).json()).toEqual(configBefore);
    expect(((await (await h.history(owned.body.conversationId, alice)).json()) as HistoryResponse).messages).toEqual(
      historyBefore.messages,
    );
    expect((await h.history(owned.body.conversationId)).status).toBe(404);
    expect((await h.history(anonymous.body.conversationId)).status).toBe(200);
    // An idempotent retry across the restart still returns the stored reply.
    const retry = await h.chat(
      { conversationId: owned.body.conversationId, messageId: owned.body.messageId, text: "What's my balance?" },
      { token: alice },
    );
    expect(retry.body).toEqual(owned.body);

    // The sealed HMAC secret survived too: HMAC mode works without re-entering it.
    const hmac = await h.admin('PUT', ADMIN_PATH, { mode: 'hmac', allowedOrigins: [SITE_ORIGIN] });
    expect(((await hmac.json()) as { hmacSecretSet: boolean }).hmacSecretSet).toBe(true);
  });

  it('logs contain no token or secret', () => {
    expect(leakedLines(h)).toEqual([]);
  });
});

describe('start-up configuration fails when the app is built', () => {
  let dataDir: string;
  const silent = pino({ level: 'silent' });
  const adminToken = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'quincer-start-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('without a master key, writes an owner-only key file and reuses it on the next start', async () => {
    const first = await startServer({ port: 0, dataDir, adminToken, logger: silent });
    const secret = await (await fetch(new URL(`${ADMIN_PATH}/hmac-secret`, first.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    })).json();
    expect(secret).toHaveProperty('hmacSecret');
    await first.close();
    const info = await stat(join(dataDir, MASTER_KEY_FILE));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, DATABASE_FILE))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, MASTER_KEY_FILE), 'utf8')).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const second = await startServer({ port: 0, dataDir, adminToken, logger: silent });
    const view = (await (await fetch(new URL(ADMIN_PATH, second.url), { headers: { authorization: `Bearer ${adminToken}` } })).json()) as {
      hmacSecretSet: boolean;
    };
    expect(view.hmacSecretSet).toBe(true);
    await second.close();
  });

  it('refuses a key file others can read', async () => {
    await chmod(join(dataDir, MASTER_KEY_FILE), 0o644);
    await expect(startServer({ port: 0, dataDir, adminToken, logger: silent })).rejects.toThrow(/chmod 600/);
    await chmod(join(dataDir, MASTER_KEY_FILE), 0o600);
  });

  it('refuses another master key than the secret was sealed under, naming what to do', async () => {
    const otherKey = randomBytes(32).toString('base64url');
    await expect(startServer({ port: 0, dataDir, adminToken, masterKey: otherKey, logger: silent })).rejects.toThrow(
      /cannot be decrypted with this master key/,
    );
  });

  it('refuses a malformed master key, a weak admin token and an invalid seed config', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'quincer-start-'));
    try {
      await expect(startServer({ port: 0, dataDir: fresh, adminToken, masterKey: 'too-short', logger: silent })).rejects.toThrow(
        TypeError,
      );
      await expect(startServer({ port: 0, dataDir: fresh, adminToken: 'short', logger: silent })).rejects.toThrow(/adminToken/);
      await expect(
        startServer({ port: 0, dataDir: fresh, adminToken, logger: silent, seedConfig: { mode: 'jwks', jwksUrl: 'nope' } }),
      ).rejects.toThrow(/seed config is invalid: jwksUrl/);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('calls onRequest for every request with method, path and headers', async () => {
    const seen: { method: string; path: string; authorization: boolean }[] = [];
    const server = await startServer({
      port: 0,
      dataDir,
      adminToken,
      logger: silent,
      onRequest: ({ method, path, headers }) => seen.push({ method, path, authorization: headers.has('authorization') }),
    });
    try {
      await fetch(new URL('/v1/widget-config', server.url));
      await fetch(new URL(ADMIN_PATH, server.url), { headers: { authorization: `Bearer ${adminToken}` } });
      expect(seen).toEqual([
        { method: 'GET', path: '/v1/widget-config', authorization: false },
        { method: 'GET', path: ADMIN_PATH, authorization: true },
      ]);
    } finally {
      await server.close();
    }
  });
});
