/**
 * Property-based: random input and random mutations of valid tokens never make
 * verifyAuthorization throw and always give a pinned reason. Logs: a run that
 * provokes every failure writes one line per refusal with the reason, and no
 * line carries a token, a signature segment, a secret or a claim value.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../../src/protocol/reasons.js';
import { createVisitorVerifier, type VerifyResult, type VisitorVerifier } from '../../../src/verifier/index.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { algNoneToken, embeddedKeyToken, forgeSignature, hs256WithPublicKey, signHs256 } from '../../helpers/tokens.js';
import { HMAC_SECRET, manualClock, recordingLogger } from './support.js';

let server: JwksServer;
let jwks: VisitorVerifier;
let hmac: VisitorVerifier;
const validTokens: { verifier: () => VisitorVerifier; token: string; sub: string }[] = [];

beforeAll(async () => {
  server = await startJwksServer();
  jwks = createVisitorVerifier({ mode: 'jwks', jwksUrl: server.url }, { logger: recordingLogger() });
  hmac = createVisitorVerifier({ mode: 'hmac', hmacSecret: HMAC_SECRET }, { logger: recordingLogger() });
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    validTokens.push({ verifier: () => jwks, token: await server.sign({ sub: `user-${alg}`, email: 'a@b.example' }, { alg }), sub: `user-${alg}` });
  }
  validTokens.push({ verifier: () => hmac, token: await signHs256({ sub: 'user-hs', plan: 'pro' }, HMAC_SECRET), sub: 'user-hs' });
});
afterAll(async () => {
  await server.close();
});

function assertPinned(result: VerifyResult, expectedSub?: string): void {
  if (result.ok) {
    // Only a mutation that decodes to the same signed bytes may still verify.
    expect(result.identity.userId).toBe(expectedSub);
  } else {
    expect(FAILURE_REASONS).toContain(result.reason);
    expect(typeof result.message).toBe('string');
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.oneof(fc.constantFrom(...BASE64URL.split('')), fc.string({ minLength: 1, maxLength: 1 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('segments' as const), order: fc.shuffledSubarray([0, 1, 2], { minLength: 1 }) }),
  fc.record({ kind: fc.constant('header' as const), json: fc.json() }),
  fc.record({ kind: fc.constant('payload' as const), json: fc.json() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(token: string, m: Mutation): string {
  const at = 'at' in m ? m.at % (token.length + 1) : 0;
  const parts = token.split('.');
  switch (m.kind) {
    case 'replace':
      return token.slice(0, at) + m.char + token.slice(at + 1);
    case 'delete':
      return token.slice(0, at) + token.slice(at + m.length);
    case 'insert':
      return token.slice(0, at) + m.text + token.slice(at);
    case 'truncate':
      return token.slice(0, at);
    case 'segments':
      return m.order.map((i) => parts[i]).join('.');
    case 'header':
      return [Buffer.from(m.json).toString('base64url'), parts[1], parts[2]].join('.');
    case 'payload':
      return [parts[0], Buffer.from(m.json).toString('base64url'), parts[2]].join('.');
  }
}

describe('property-based', () => {
  it('random Authorization values never throw and always give a pinned reason', async () => {
    const header = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string().map((s) => `Bearer ${s}`),
      fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), { minLength: 1, maxLength: 5 }).map((segments) => `bearer ${segments.join('.')}`),
      fc.constantFrom(null, undefined, '', 'Bearer', 'Bearer .', 'Bearer ..', 'Bearer ...'),
    );
    await fc.assert(
      fc.asyncProperty(header, fc.boolean(), async (value, useHmac) => {
        const result = await (useHmac ? hmac : jwks).verifyAuthorization(value);
        expect(result.ok).toBe(false);
        assertPinned(result);
      }),
      { numRuns: 400 },
    );
  });

  it('random mutations of valid tokens never throw and always give a pinned reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (index, mutations) => {
        const { verifier, token, sub } = validTokens[index]!;
        const mutated = mutations.reduce(mutate, token);
        const result = await verifier().verifyAuthorization(`Bearer ${mutated}`);
        assertPinned(result, sub);
        if (result.ok) expect(mutated.split('.').slice(0, 2).join('.')).toBe(token.split('.').slice(0, 2).join('.'));
      }),
      { numRuns: 600 },
    );
  });

  it('verifyToken with non-string input (plain JavaScript callers) is malformed-token, not a throw', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b.c']]) {
      expect(await jwks.verifyToken(value as never)).toMatchObject({ ok: false, reason: 'malformed-token' });
    }
  });
});

describe('logs', () => {
  it('one line per refusal with the reason, and no token, signature, secret or claim value in any line or message', async () => {
    const clock = manualClock();
    const logger = recordingLogger();
    const claimValues = ['sub-value-7c1e9a', 'ada.lovelace@example.com', 'platinum-tier-4411', 'https://evil-issuer.example/'];
    const claims = { sub: claimValues[0]!, email: claimValues[1]!, 'https://acme.example/tier': claimValues[2]!, iss: claimValues[3]! };
    const downServer = await startJwksServer({ algs: ['RS256'] });
    const deps = { now: clock.now, logger, fetchTimeoutMs: 300 };
    const verifiers = {
      jwks: createVisitorVerifier({ mode: 'jwks', jwksUrl: server.url }, deps),
      strict: createVisitorVerifier({ mode: 'jwks', jwksUrl: server.url, issuer: 'https://acme.example/', audience: 'api' }, deps),
      hmac: createVisitorVerifier({ mode: 'hmac', hmacSecret: HMAC_SECRET }, deps),
      off: createVisitorVerifier({ mode: 'off' }, deps),
      down: createVisitorVerifier({ mode: 'jwks', jwksUrl: downServer.url }, deps),
    };
    const sign = (extra: Record<string, unknown> = {}, options: Parameters<JwksServer['sign']>[1] = {}) =>
      server.sign({ ...claims, ...extra }, { now: clock.now(), ...options });
    const rsa = server.keys.get('RS256')!;

    const valid = await sign();
    const tokens = {
      valid,
      forged: forgeSignature(valid),
      expired: await sign({}, { expiresIn: -3600 }),
      noSub: await sign({ sub: undefined }),
      future: await sign({ nbf: Math.floor(clock.now() / 1000) + 3600 }),
      none: algNoneToken(claims, { now: clock.now() }),
      confusion: hs256WithPublicKey(claims, rsa.publicPem, rsa.kid, { now: clock.now() }),
      embedded: await embeddedKeyToken(claims, 'jwk', { now: clock.now() }),
      unknownKid: await sign({}, { kid: 'unknown-kid-value' }),
      hmacWrong: await signHs256(claims, 'wrong-secret-wrong-secret-wrong-secret-1', { now: clock.now() }),
      hmacExpired: await signHs256(claims, HMAC_SECRET, { now: clock.now(), expiresIn: -3600 }),
      downToken: await downServer.sign(claims, { now: clock.now() }),
    };
    await downServer.setMode('down');

    const runs: [VisitorVerifier, string | undefined][] = [
      [verifiers.jwks, undefined],
      [verifiers.jwks, `Basic ${Buffer.from(`user:${HMAC_SECRET}`).toString('base64')}`],
      [verifiers.off, `Bearer ${tokens.valid}`],
      [verifiers.jwks, 'Bearer not-a-token'],
      [verifiers.jwks, `Bearer ${tokens.valid}.extra`],
      [verifiers.jwks, `Bearer ${tokens.forged}`],
      [verifiers.jwks, `Bearer ${tokens.expired}`],
      [verifiers.jwks, `Bearer ${tokens.noSub}`],
      [verifiers.jwks, `Bearer ${tokens.future}`],
      [verifiers.strict, `Bearer ${tokens.valid}`],
      [verifiers.jwks, `Bearer ${tokens.none}`],
      [verifiers.jwks, `Bearer ${tokens.confusion}`],
      [verifiers.jwks, `Bearer ${tokens.embedded}`],
      [verifiers.jwks, `Bearer ${tokens.unknownKid}`],
      [verifiers.hmac, `Bearer ${tokens.hmacWrong}`],
      [verifiers.hmac, `Bearer ${tokens.hmacExpired}`],
      [verifiers.hmac, `Bearer ${tokens.valid}`],
      [verifiers.down, `Bearer ${tokens.downToken}`],
    ];
    const results: VerifyResult[] = [];
    for (const [verifier, header] of runs) results.push(await verifier.verifyAuthorization(header));
    await downServer.close();

    expect(new Set(results.map((result) => (result.ok ? 'ok' : result.reason)))).toEqual(new Set(FAILURE_REASONS));
    expect(logger.events('visitor-token-refused')).toHaveLength(runs.length);
    for (const line of logger.events('visitor-token-refused')) {
      expect(Object.keys(line.obj).sort()).toEqual(['detail', 'event', 'reason']);
    }

    const forbidden = new Set<string>([HMAC_SECRET, 'wrong-secret-wrong-secret-wrong-secret-1', ...claimValues, 'unknown-kid-value']);
    for (const token of Object.values(tokens)) {
      forbidden.add(token);
      for (const segment of token.split('.')) if (segment.length >= 8) forbidden.add(segment);
    }
    const written = [...logger.text(), ...results.map((result) => JSON.stringify(result))];
    expect(written.length).toBeGreaterThan(runs.length);
    for (const line of written) {
      for (const value of forbidden) expect(line, 'a log line or message leaks a token, signature, secret or claim value').not.toContain(value);
    }
  });
});

describe('token shape', () => {
  it("the verifier's compact-JWS check agrees with the shared protocol's isCompactJws", async () => {
    const { isCompactJws: shared } = await import('../../../src/protocol/jws.js');
    const { isCompactJws: verifier } = await import('../../../src/verifier/token-shape.js');
    const segment = fc.stringMatching(/^[A-Za-z0-9_=.+/ -]{0,12}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(segment, { maxLength: 5 }).map((parts) => parts.join('.'))), (value) => {
        expect(verifier(value)).toBe(shared(value));
      }),
      { numRuns: 2000 },
    );
    for (const value of ['a.b.c', 'a.b.c.', `${'a'.repeat(16_380)}.b.c`, `${'a'.repeat(16_382)}.b.c`, 'a.b.c\n', 42, null]) {
      expect(verifier(value)).toBe(shared(value));
    }
  });
});
