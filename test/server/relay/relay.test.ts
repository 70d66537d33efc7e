/**
 * The sign-in relay against a real backend on loopback with a real JWKS server:
 * every rule of docs/wire-protocol.md "Sign-in relay", including the refusals
 * that must be byte-identical and the rate limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_PATHS } from '../../../src/protocol/signin.js';
import { startServer, type RunningServer } from '../../../src/backend/server.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';

const SITE = 'https://shop.example';
const SIGN_IN = 'https://login.shop.example';
const EVIL = 'https://evil.example';

let server: RunningServer;
let limited: RunningServer;
let jwks: JwksServer;
const dirs: string[] = [];
const logs: string[] = [];

async function start(relayRateLimit: number): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quincer-relay-'));
  dirs.push(dataDir);
  return startServer({
    port: 0,
    dataDir,
    adminToken: randomBytes(24).toString('base64url'),
    masterKey: randomBytes(32).toString('base64url'),
    seedConfig: { mode: 'jwks', jwksUrl: jwks.url, signInUrl: `${SIGN_IN}/sign-in`, allowedOrigins: [SITE] },
    verifierDeps: { allowInsecureHttp: true },
    logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
    limits: { rateLimits: { signInRelay: { limit: relayRateLimit } } },
  });
}

beforeAll(async () => {
  jwks = await startJwksServer();
  server = await start(10_000);
  limited = await start(3);
});
afterAll(async () => {
  await server.close();
  await limited.close();
  await jwks.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const random = () => randomBytes(32).toString('base64url');
const hash = (secret: string) => createHash('sha256').update(secret, 'ascii').digest('base64url');

function post(path: string, body: unknown, origin: string | null, type = 'application/json', target = server) {
  return fetch(new URL(path, target.url), {
    method: 'POST',
    headers: { 'content-type': type, ...(origin ? { origin } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function register(ttlSeconds = 60) {
  const state = random();
  const secret = random();
  const response = await post(RELAY_PATHS.register, { state, secretHash: hash(secret), ttlSeconds }, SITE);
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ expiresIn: ttlSeconds });
  return { state, secret };
}

const deliver = (state: string, token: string, origin: string | null = SIGN_IN, type = 'text/plain;charset=UTF-8') =>
  post(RELAY_PATHS.deliver, { state, token }, origin, type);
const collect = (state: string, secret: string, waitSeconds = 0) => post(RELAY_PATHS.collect, { state, secret, waitSeconds }, SITE);

async function refusal(response: Response): Promise<string> {
  expect(response.status).toBe(404);
  return response.text();
}

describe('sign-in relay', () => {
  it('hands a relayed token out once, to the holder of the secret', async () => {
    const { state, secret } = await register();
    const token = await jwks.sign({ sub: 'alice' });
    const delivered = await deliver(state, token);
    expect(delivered.status).toBe(200);
    expect(delivered.headers.get('access-control-allow-origin')).toBe(SIGN_IN);
    expect(await delivered.json()).toEqual({ delivered: true });
    const first = await collect(state, secret);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ token });
    await refusal(await collect(state, secret));
    expect(logs.filter((line) => line.includes(token) || line.includes(secret) || line.includes(state))).toEqual([]);
  });

  it('a held collect is answered as soon as the token arrives (long poll)', async () => {
    const { state, secret } = await register();
    const token = await jwks.sign({ sub: 'bob' });
    const pending = collect(state, secret, 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await deliver(state, token)).status).toBe(200);
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ token });
  });

  it('a collect with nothing delivered yet answers token: null after its wait', async () => {
    const { state, secret } = await register();
    const answer = await collect(state, secret, 0);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ token: null, attached: false });
  });

  it('unknown, expired, reused, wrongly proven and guessed states get one byte-identical refusal', async () => {
    const token = await jwks.sign({ sub: 'alice' });
    const bodies: string[] = [];
    // Unregistered (guessed) state, delivered and collected.
    bodies.push(await refusal(await deliver(random(), token)));
    bodies.push(await refusal(await collect(random(), random())));
    // Wrong secret; no secret at all.
    const a = await register();
    bodies.push(await refusal(await collect(a.state, random())));
    bodies.push(await refusal(await post(RELAY_PATHS.collect, { state: a.state }, SITE)));
    // Twice for the same state: the second delivery is refused, and the first token stands.
    expect((await deliver(a.state, token)).status).toBe(200);
    const other = await jwks.sign({ sub: 'mallory' });
    bodies.push(await refusal(await deliver(a.state, other)));
    // A registered state cannot be registered again (a second secret would steal the token).
    bodies.push(await refusal(await post(RELAY_PATHS.register, { state: a.state, secretHash: hash(random()), ttlSeconds: 60 }, SITE)));
    expect(await (await collect(a.state, a.secret)).json()).toEqual({ token });
    // Expired.
    const b = await register(1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    bodies.push(await refusal(await deliver(b.state, token)));
    bodies.push(await refusal(await collect(b.state, b.secret)));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ error: { code: 'relay-refused' } });
  });

  it('accepts a token only from the Sign-in URL origin, checked on Origin itself', async () => {
    const { state, secret } = await register();
    const token = await jwks.sign({ sub: 'alice' });
    for (const origin of [EVIL, SITE, null]) {
      const response = await deliver(state, token, origin);
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.json()).toMatchObject({ error: { code: 'relay-origin-refused' } });
    }
    expect(await (await collect(state, secret)).json()).toEqual({ token: null, attached: false });
  });

  it('accepts only tokens the verifier accepts', async () => {
    const { state, secret } = await register();
    const forged = `${(await jwks.sign({ sub: 'alice' })).split('.').slice(0, 2).join('.')}.${random()}`;
    const response = await deliver(state, forged);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'relay-token-refused' } });
    expect(await (await collect(state, secret)).json()).toEqual({ token: null, attached: false });
  });

  it('register, collect and cancel answer only the site origins', async () => {
    const state = random();
    const response = await post(RELAY_PATHS.register, { state, secretHash: hash(random()), ttlSeconds: 60 }, EVIL);
    expect(response.status).toBe(403);
    const preflight = await fetch(new URL(RELAY_PATHS.register, server.url), {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
  });

  it('a held collect answers at once when the sign-in page announces itself', async () => {
    const { state, secret } = await register();
    const pending = collect(state, secret, 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const announced = await post(RELAY_PATHS.announce, { state }, SIGN_IN, 'text/plain;charset=UTF-8');
    expect(await announced.json()).toEqual({ announced: true });
    expect(await (await pending).json()).toEqual({ token: null, attached: true });
    await refusal(await post(RELAY_PATHS.announce, { state: random() }, SIGN_IN, 'text/plain;charset=UTF-8'));
    expect((await post(RELAY_PATHS.announce, { state }, EVIL, 'text/plain;charset=UTF-8')).status).toBe(403);
  });

  it('cancel forgets the transaction: a later delivery is refused', async () => {
    const { state, secret } = await register();
    expect((await post(RELAY_PATHS.cancel, { state, secret }, SITE)).status).toBe(204);
    await refusal(await deliver(state, await jwks.sign({ sub: 'alice' })));
    await refusal(await collect(state, secret));
  });

  it('is rate limited: 429 rate-limited with Retry-After', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) last = await post(RELAY_PATHS.collect, { state: random(), secret: random() }, SITE, 'application/json', limited);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ error: { code: 'rate-limited' } });
  });
});
