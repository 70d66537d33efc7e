/**
 * The verified-result cache: a repeated token is answered from memory, but
 * never a failure, never past exp, never across a key-set change, and bounded.
 * A cache hit is observable as the very same (frozen) identity object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitorVerifier, type VerifyResult } from '../../../src/verifier/index.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { signHs256 } from '../../helpers/tokens.js';
import { HMAC_SECRET, manualClock, recordingLogger } from './support.js';

let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ algs: ['ES256'] });
});
afterAll(async () => {
  await server.close();
});

const identityOf = (result: VerifyResult) => {
  if (!result.ok) throw new Error(`expected a verified token, got ${result.reason}`);
  return result.identity;
};

function jwksSetup(deps: { resultCacheMaxEntries?: number } = {}) {
  const clock = manualClock();
  const logger = recordingLogger();
  const verifier = createVisitorVerifier({ mode: 'jwks', jwksUrl: server.url }, { now: clock.now, logger, ...deps });
  const sign = (claims: Record<string, unknown> = { sub: 'u' }) => server.sign(claims, { now: clock.now() });
  return { clock, logger, verifier, sign };
}

describe('verified-result cache', () => {
  it('answers a repeated token from memory (same identity object)', async () => {
    const { verifier, sign } = jwksSetup();
    await verifier.refreshKeys();
    const token = await sign({ sub: 'u', plan: 'pro' });
    const first = identityOf(await verifier.verifyAuthorization(`Bearer ${token}`));
    const second = identityOf(await verifier.verifyAuthorization(`bearer ${token}`));
    expect(second).toBe(first);
    expect(identityOf(await verifier.verifyToken(token))).toBe(first);
  });

  it('never remembers a failure: a token refused for nbf verifies once nbf has passed', async () => {
    const { clock, verifier, logger } = jwksSetup();
    const nbf = Math.floor(clock.now() / 1000) + 120;
    const token = await server.sign({ sub: 'u', nbf }, { now: clock.now() });
    expect(await verifier.verifyToken(token)).toMatchObject({ ok: false, reason: 'bad-claim' });
    expect(await verifier.verifyToken(token)).toMatchObject({ ok: false, reason: 'bad-claim' });
    expect(logger.events('visitor-token-refused')).toHaveLength(2);
    clock.advance(120_000);
    expect(await verifier.verifyToken(token)).toMatchObject({ ok: true });
  });

  it('a forged token is never answered from the cache of the real one', async () => {
    const { verifier, sign } = jwksSetup();
    const token = await sign();
    identityOf(await verifier.verifyToken(token));
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    expect(await verifier.verifyToken(forged)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it("never answers past the token's exp: re-verified after exp, expired beyond the tolerance", async () => {
    const { clock, verifier } = jwksSetup();
    const exp = Math.floor(clock.now() / 1000) + 60;
    const token = await server.sign({ sub: 'u', exp }, { now: clock.now() });
    const first = identityOf(await verifier.verifyToken(token));
    clock.set(exp * 1000 - 1);
    expect(identityOf(await verifier.verifyToken(token))).toBe(first);
    clock.set(exp * 1000);
    const inTolerance = identityOf(await verifier.verifyToken(token));
    expect(inTolerance).not.toBe(first);
    expect(inTolerance).toEqual(first);
    clock.set(exp * 1000 + 31_000);
    expect(await verifier.verifyToken(token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('is dropped when the key set changes, and a revoked key stops working at once', async () => {
    const { verifier, sign } = jwksSetup();
    const token = await sign();
    const first = identityOf(await verifier.verifyToken(token));
    await server.rotate({ keepPrevious: true });
    await verifier.refreshKeys();
    const afterChange = identityOf(await verifier.verifyToken(token));
    expect(afterChange).not.toBe(first);
    expect(identityOf(await verifier.verifyToken(token))).toBe(afterChange);
    await server.rotate();
    await verifier.refreshKeys();
    expect(await verifier.verifyToken(token)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('survives a re-pull that serves the same keys', async () => {
    const { verifier, sign } = jwksSetup();
    const token = await sign();
    const first = identityOf(await verifier.verifyToken(token));
    await verifier.refreshKeys();
    expect(identityOf(await verifier.verifyToken(token))).toBe(first);
  });

  it('is not used once the keys are due for a re-pull (15 min): the re-pull happens first', async () => {
    const { clock, verifier, sign } = jwksSetup();
    const token = await sign();
    const first = identityOf(await verifier.verifyToken(token));
    const fetches = server.fetchCount;
    clock.advance(15 * 60_000);
    const reverified = identityOf(await verifier.verifyToken(token));
    expect(reverified).not.toBe(first);
    expect(server.fetchCount).toBe(fetches + 1);
    expect(identityOf(await verifier.verifyToken(token))).toBe(reverified);
  });

  it('is bounded: the least recently used entry is evicted', async () => {
    const { verifier, sign } = jwksSetup({ resultCacheMaxEntries: 2 });
    const [a, b, c] = await Promise.all([sign({ sub: 'a' }), sign({ sub: 'b' }), sign({ sub: 'c' })]);
    const first = identityOf(await verifier.verifyToken(a!));
    identityOf(await verifier.verifyToken(b!));
    expect(identityOf(await verifier.verifyToken(a!))).toBe(first);
    identityOf(await verifier.verifyToken(c!));
    identityOf(await verifier.verifyToken(b!));
    expect(identityOf(await verifier.verifyToken(a!))).not.toBe(first);
  });

  it('works in HMAC mode, and belongs to one config (a new verifier starts empty)', async () => {
    const clock = manualClock();
    const make = () => createVisitorVerifier({ mode: 'hmac', hmacSecret: HMAC_SECRET }, { now: clock.now, logger: recordingLogger() });
    const verifier = make();
    const token = await signHs256({ sub: 'u' }, HMAC_SECRET, { now: clock.now() });
    const first = identityOf(await verifier.verifyToken(token));
    expect(identityOf(await verifier.verifyToken(token))).toBe(first);
    expect(identityOf(await make().verifyToken(token))).not.toBe(first);
  });

  it('can be turned off', async () => {
    const { verifier, sign } = jwksSetup({ resultCacheMaxEntries: 0 });
    const token = await sign();
    const first = identityOf(await verifier.verifyToken(token));
    expect(identityOf(await verifier.verifyToken(token))).not.toBe(first);
  });
});

describe('approved headers (a known header goes straight to jose with its key)', () => {
  it('a token with an already verified header but a forged signature or swapped claims is still refused', async () => {
    const { verifier, sign } = jwksSetup();
    const first = await sign({ sub: 'a' });
    identityOf(await verifier.verifyToken(first));
    const second = await sign({ sub: 'b' });
    expect(second.split('.')[0]).toBe(first.split('.')[0]);
    identityOf(await verifier.verifyToken(second));
    const [header, , signature] = second.split('.');
    const swapped = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(await verifier.verifyToken(swapped)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const expiredOnly = await server.sign({ sub: 'c' }, { expiresIn: -3600 });
    expect(await verifier.verifyToken(expiredOnly)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('is forgotten when the key set changes: a removed key no longer verifies new tokens', async () => {
    const { verifier, sign } = jwksSetup();
    const oldKey = server.keys.get('ES256')!;
    identityOf(await verifier.verifyToken(await sign({ sub: 'a' })));
    await server.rotate();
    await verifier.refreshKeys();
    const withOldKey = await server.sign({ sub: 'b' }, { key: oldKey });
    expect(await verifier.verifyToken(withOldKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});
