// The demo identity provider: the part of "your platform" that issues visitor tokens.
// JWKS mode signs ES256 with a key published at the JWKS URL; HMAC mode signs HS256
// with the shared secret the backend generated. Everything lives in memory.
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** The demo visitors. Their subs match the accounts the reference backend knows. */
export const DEMO_USERS = Object.freeze([
  Object.freeze({ username: 'alice', sub: 'alice', name: 'Alice Martin', email: 'alice@example.com', plan: 'pro' }),
  Object.freeze({ username: 'bob', sub: 'bob', name: 'Bob Chen', email: 'bob@example.com', plan: 'basic' }),
  Object.freeze({ username: 'carol', sub: 'carol', name: 'Carol Diaz', email: 'carol@example.com', plan: 'free' }),
]);

/** Every demo user signs in with this password; the demo says so on the page. */
export const DEMO_PASSWORD = 'demo';

const ALG = 'ES256';

async function newSigningKey() {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = `demo-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { kid, privateKey, jwk };
}

export function findDemoUser(username) {
  return DEMO_USERS.find((user) => user.username === username) ?? null;
}

/**
 * issuer: the `iss` of every token (a string, or a function read at signing time);
 * tokenTtlSeconds: lifetime of a valid token (default 300: short, as the docs advise).
 */
export async function createDemoIdentityProvider(options) {
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 300;
  let current = await newSigningKey();
  /** The key before the last rotation stays published, as real providers do. */
  let previous = null;
  /** Never published: tokens it signs carry a kid the backend cannot find. */
  const stranger = await newSigningKey();
  let mode = 'jwks';
  let hmacKey = null;

  function claimsFor(user) {
    return { email: user.email, name: user.name, plan: user.plan };
  }

  async function sign(user, { expiresIn = tokenTtlSeconds, key = 'current', withSub = true } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claimsFor(user)).setIssuer(typeof options.issuer === 'function' ? options.issuer() : options.issuer).setIssuedAt(now).setExpirationTime(now + expiresIn);
    if (withSub) jwt.setSubject(user.sub);
    if (mode === 'hmac' && key === 'current') {
      return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(hmacKey);
    }
    const signer = key === 'stranger' ? stranger : current;
    return jwt.setProtectedHeader({ alg: ALG, kid: signer.kid, typ: 'JWT' }).sign(signer.privateKey);
  }

  return {
    get mode() {
      return mode;
    },
    get kid() {
      return current.kid;
    },
    jwks() {
      return { keys: previous ? [current.jwk, previous.jwk] : [current.jwk] };
    },
    async rotate() {
      previous = current;
      current = await newSigningKey();
      return current.kid;
    },
    /** Sign HS256 from now on, with the secret exactly as the customer holds it. */
    useHmac(secret) {
      if (typeof secret !== 'string' || secret.length < 32) throw new TypeError('useHmac(secret): the secret must be a string of at least 32 characters.');
      hmacKey = new TextEncoder().encode(secret);
      mode = 'hmac';
    },
    useJwks() {
      hmacKey = null;
      mode = 'jwks';
    },
    /**
     * A token for `user` in the current mode.
     * kind: 'valid' | 'expired' | 'unknown-key' | 'malformed' | 'no-sub'
     */
    async tokenFor(user, kind = 'valid') {
      switch (kind) {
        case 'valid':
          return sign(user);
        case 'expired':
          // Past the verifier's 30 s clock tolerance.
          return sign(user, { expiresIn: -600 });
        case 'unknown-key':
          return sign(user, { key: 'stranger' });
        case 'no-sub':
          return sign(user, { withSub: false });
        case 'malformed': {
          // Three base64url segments, so identify() accepts it; the header is not JSON.
          const b64 = (text) => Buffer.from(text).toString('base64url');
          return `${b64('not a header')}.${b64(JSON.stringify({ sub: user.sub }))}.${b64('no signature')}`;
        }
        default:
          throw new TypeError(`tokenFor(): unknown kind "${kind}"; use valid, expired, unknown-key, malformed or no-sub.`);
      }
    },
  };
}
