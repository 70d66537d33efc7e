/**
 * Plain http is accepted only where the traffic provably stays on this machine:
 * "localhost" and loopback IP literals. A name under .localhost is not one of
 * them: Node resolves it through the system resolver (glibc does not special-case
 * it), so a DNS answer can send the key fetch over plain http to another host.
 */
import { describe, expect, it } from 'vitest';
import { createVisitorVerifier, validateVisitorSignInConfig } from '../../../src/verifier/index.js';

describe('http is loopback-only', () => {
  it.each(['http://keys.localhost/jwks.json', 'http://127.0.0.1.localhost:8080/jwks.json', 'http://localhost.example.com/jwks.json'])(
    'refuses %s without allowInsecureHttp (JWKS URL and Sign-in URL)',
    (url) => {
      expect(() => createVisitorVerifier({ mode: 'jwks', jwksUrl: url })).toThrow(/jwksUrl/);
      const checked = validateVisitorSignInConfig({ mode: 'jwks', jwksUrl: url, signInUrl: url });
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(Object.keys(checked.fields).sort()).toEqual(['jwksUrl', 'signInUrl']);
    },
  );

  it.each(['http://localhost:1/jwks', 'http://LOCALHOST:1/jwks', 'http://127.0.0.1:1/jwks', 'http://127.8.9.10/jwks', 'http://[::1]:1/jwks'])(
    'accepts %s',
    (url) => {
      expect(() => createVisitorVerifier({ mode: 'jwks', jwksUrl: url })).not.toThrow();
    },
  );
});
