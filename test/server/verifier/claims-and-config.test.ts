/**
 * Claim mapping (default copy, renaming and restricting, prototype-pollution
 * immunity) and config validation (validateVisitorSignInConfig and the
 * TypeErrors of createVisitorVerifier).
 */
import { describe, expect, it } from 'vitest';
import { createVisitorVerifier, validateVisitorSignInConfig } from '../../../src/verifier/index.js';
import { craftToken, hmacSigner, signHs256 } from '../../helpers/tokens.js';
import { HMAC_SECRET, recordingLogger } from './support.js';

const verifierWith = (claimMapping?: Record<string, string> | null) =>
  createVisitorVerifier({ mode: 'hmac', hmacSecret: HMAC_SECRET, claimMapping }, { logger: recordingLogger() });
const exp = () => Math.floor(Date.now() / 1000) + 600;

async function identityOf(claimMapping: Record<string, string> | null | undefined, claims: Record<string, unknown>) {
  const result = await verifierWith(claimMapping).verifyToken(await signHs256(claims, HMAC_SECRET));
  if (!result.ok) throw new Error(`expected a verified token, got ${result.reason}`);
  return result.identity;
}

describe('claim mapping', () => {
  const auth0Claims = {
    sub: 'auth0|42',
    iss: 'https://acme.auth0.example/',
    aud: ['https://api.acme.example', 'https://acme.auth0.example/userinfo'],
    nbf: Math.floor(Date.now() / 1000) - 10,
    jti: 'token-id',
    email: 'ada@acme.example',
    name: 'Ada',
    'https://acme.example/tier': 'gold',
    'https://acme.example/account_id': 'acct-7',
  };

  it('by default copies every claim except iss/sub/aud/exp/iat/nbf/jti, and userId is sub', async () => {
    const identity = await identityOf(undefined, auth0Claims);
    expect({ ...identity }).toEqual({
      userId: 'auth0|42',
      email: 'ada@acme.example',
      name: 'Ada',
      'https://acme.example/tier': 'gold',
      'https://acme.example/account_id': 'acct-7',
    });
    expect(await identityOf(null, { sub: 'x', plan: 'pro' })).toEqual(Object.assign(Object.create(null), { userId: 'x', plan: 'pro' }));
  });

  it('a token claim named userId never overrides sub', async () => {
    expect((await identityOf(undefined, { sub: 'real', userId: 'spoofed' })).userId).toBe('real');
    expect((await identityOf({ email: 'email' }, { sub: 'real', userId: 'spoofed' })).userId).toBe('real');
  });

  it("renames and restricts to exactly the mapped names (Auth0's namespaced claims)", async () => {
    const identity = await identityOf(
      { userId: 'sub', email: 'email', tier: 'https://acme.example/tier', accountId: 'https://acme.example/account_id' },
      auth0Claims,
    );
    expect({ ...identity }).toEqual({ userId: 'auth0|42', email: 'ada@acme.example', tier: 'gold', accountId: 'acct-7' });
  });

  it('leaves out a mapped claim the token lacks, and may map registered claims on purpose', async () => {
    const identity = await identityOf({ tier: 'https://acme.example/tier', issuer: 'iss', missing: 'nope' }, { sub: 'u', iss: 'https://i.example/' });
    expect({ ...identity }).toEqual({ userId: 'u', issuer: 'https://i.example/' });
    expect(Object.hasOwn(identity, 'missing')).toBe(false);
  });

  it('claims named __proto__, constructor and prototype pollute nothing', async () => {
    const payload = `{"sub":"u","exp":${exp()},"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"nested":{"__proto__":{"polluted":"yes"},"ok":1},"list":[{"__proto__":{"polluted":"yes"}}]}`;
    const token = craftToken({ alg: 'HS256' }, payload, hmacSigner(HMAC_SECRET));
    for (const mapping of [undefined, { evil: '__proto__', ctor: 'constructor', nested: 'nested' }]) {
      const result = await verifierWith(mapping).verifyToken(token);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const identity = result.identity as Record<string, unknown>;
      expect(Object.getPrototypeOf(identity)).toBeNull();
      expect(Object.hasOwn(identity, '__proto__')).toBe(false);
      expect(Object.hasOwn(identity, 'constructor')).toBe(false);
      expect(identity.isAdmin).toBeUndefined();
      expect(identity.polluted).toBeUndefined();
      const nested = identity.nested as Record<string, unknown>;
      expect(nested.ok).toBe(1);
      expect(Object.getPrototypeOf(nested)).toBeNull();
      expect(Object.keys(nested)).toEqual(['ok']);
      // A caller merging the identity into its own object gets no prototype either.
      const merged = Object.assign({}, identity, { ...identity });
      expect((merged as Record<string, unknown>).polluted).toBeUndefined();
      if (mapping) {
        const evil = identity.evil as Record<string, unknown>;
        expect(Object.getPrototypeOf(evil)).toBeNull();
        expect({ ...evil }).toEqual({ polluted: 'yes', isAdmin: true });
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('the identity is frozen, so one request cannot change what the next one sees', async () => {
    const identity = (await identityOf(undefined, { sub: 'u', roles: ['a'], profile: { plan: 'pro' } })) as Record<string, unknown>;
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(identity.roles)).toBe(true);
    expect(Object.isFrozen(identity.profile)).toBe(true);
    expect(() => {
      'use strict';
      identity.userId = 'other';
    }).toThrow(TypeError);
  });

  it('mapping userId to anything but sub is invalid config', () => {
    expect(() => verifierWith({ userId: 'email' })).toThrow(TypeError);
    expect(() => verifierWith({ userId: 'email' })).toThrow(/claimMapping/);
    expect(() => verifierWith({ userId: 'sub', email: 'email' })).not.toThrow();
    expect(() => verifierWith({ __proto__: 'sub' } as unknown as Record<string, string>)).not.toThrow();
    expect(() => verifierWith(JSON.parse('{"__proto__":"email"}') as Record<string, string>)).toThrow(/claimMapping/);
    expect(() => verifierWith({ constructor: 'sub' })).toThrow(/claimMapping/);
    expect(() => verifierWith({ tier: 42 } as unknown as Record<string, string>)).toThrow(/claimMapping/);
    expect(() => verifierWith({ tier: '' })).toThrow(/claimMapping/);
  });
});

describe('validateVisitorSignInConfig', () => {
  const secret = 'a'.repeat(43);

  it.each([
    [{ mode: 'off' }],
    [{ mode: 'jwks' }],
    [{ mode: 'jwks', jwksUrl: 'https://acme.auth0.example/.well-known/jwks.json', issuer: 'https://acme.auth0.example/', audience: 'https://api.acme.example' }],
    [{ mode: 'jwks', jwksUrl: 'http://localhost:4000/jwks.json', signInUrl: 'http://127.0.0.1:5173/sign-in' }],
    [{ mode: 'hmac', hmacSecret: secret, claimMapping: { userId: 'sub', tier: 'https://acme.example/tier' }, signInUrl: null }],
    [{ mode: 'hmac', claimMapping: null, jwksUrl: '', issuer: '', audience: '' }],
  ])('accepts %j', (input) => {
    const result = validateVisitorSignInConfig(input);
    expect(result).toEqual({ ok: true, config: input });
  });

  it.each([
    ['a missing mode', {}, 'mode'],
    ['an unknown mode', { mode: 'oauth' }, 'mode'],
    ['a JWKS URL that is not a URL', { mode: 'jwks', jwksUrl: 'acme.example/jwks' }, 'jwksUrl'],
    ['an http JWKS URL on a public host', { mode: 'jwks', jwksUrl: 'http://acme.example/jwks' }, 'jwksUrl'],
    ['a JWKS URL with credentials', { mode: 'jwks', jwksUrl: 'https://user:pw@acme.example/jwks' }, 'jwksUrl'],
    ['a non-string JWKS URL', { mode: 'jwks', jwksUrl: 42 }, 'jwksUrl'],
    ['an http Sign-in URL on a public host', { mode: 'off', signInUrl: 'http://acme.example/login' }, 'signInUrl'],
    ['a javascript: Sign-in URL', { mode: 'off', signInUrl: 'javascript:alert(1)' }, 'signInUrl'],
    ['a short HMAC secret', { mode: 'hmac', hmacSecret: 'short' }, 'hmacSecret'],
    ['a 31-character HMAC secret', { mode: 'hmac', hmacSecret: 'a'.repeat(31) }, 'hmacSecret'],
    ['a non-string issuer', { mode: 'jwks', issuer: ['a'] }, 'issuer'],
    ['an audience with spaces around it', { mode: 'jwks', audience: ' api ' }, 'audience'],
    ['a claim mapping that is an array', { mode: 'jwks', claimMapping: ['sub'] }, 'claimMapping'],
    ['a claim mapping with userId → email', { mode: 'jwks', claimMapping: { userId: 'email' } }, 'claimMapping'],
    ['a claim mapping with a non-string value', { mode: 'jwks', claimMapping: { tier: 1 } }, 'claimMapping'],
    ['an unknown field', { mode: 'off', allowedOrigins: [] }, 'allowedOrigins'],
  ])('rejects %s, naming the field', (_label, input, field) => {
    const result = validateVisitorSignInConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.fields)).toEqual([field]);
      expect(result.fields[field]).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('reports every bad field at once', () => {
    const result = validateVisitorSignInConfig({ mode: 'x', jwksUrl: 'nope', hmacSecret: 'short', extra: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.fields).sort()).toEqual(['extra', 'hmacSecret', 'jwksUrl', 'mode']);
  });

  it('rejects a non-object and a __proto__ field without polluting anything', () => {
    for (const input of [null, 'jwks', 42, []]) expect(validateVisitorSignInConfig(input).ok).toBe(false);
    const result = validateVisitorSignInConfig(JSON.parse('{"mode":"off","__proto__":{"polluted":true}}'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.fields)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never echoes the secret in a field message', () => {
    const secretValue = 'short-secret-value';
    const result = validateVisitorSignInConfig({ mode: 'hmac', hmacSecret: secretValue });
    expect(JSON.stringify(result)).not.toContain(secretValue);
  });
});

describe('createVisitorVerifier config and deps errors', () => {
  it('throws a TypeError naming the field', () => {
    expect(() => createVisitorVerifier(null as never)).toThrow(TypeError);
    expect(() => createVisitorVerifier({ mode: 'magic' } as never)).toThrow(/config\.mode/);
    expect(() => createVisitorVerifier({ mode: 'hmac', hmacSecret: 'too-short' })).toThrow(/config\.hmacSecret/);
    expect(() => createVisitorVerifier({ mode: 'hmac', hmacSecret: 'too-short' })).not.toThrow(/too-short/);
    expect(() => createVisitorVerifier({ mode: 'off' }, { cacheMaxAgeMs: -1 })).toThrow(/deps\.cacheMaxAgeMs/);
    expect(() => createVisitorVerifier({ mode: 'off' }, { staleGraceMs: 7 * 86_400_000 })).toThrow(/deps\.staleGraceMs/);
    expect(() => createVisitorVerifier({ mode: 'off' }, { fetchTimeoutMs: 0 })).toThrow(/deps\.fetchTimeoutMs/);
  });

  it('ignores fields it does not use (the backend stores allowedOrigins beside the config)', () => {
    const config = { mode: 'off', allowedOrigins: ['https://shop.example'] } as never;
    expect(() => createVisitorVerifier(config)).not.toThrow();
  });
});
