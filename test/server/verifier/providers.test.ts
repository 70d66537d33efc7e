/**
 * Provider presets and the token-type rules (issue 9) with faithful token
 * shapes of Auth0, Amazon Cognito (ID and access), Clerk and Firebase, signed
 * with local keys. The presets derive https URLs at the providers' hosts; an
 * injected fetch serves them from a real JWKS server on loopback and records
 * which URL the verifier asked for, so nothing reaches the internet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVisitorVerifier,
  FIREBASE_X509_URL,
  validateVisitorSignInConfig,
  type VerifyResult,
  type VisitorSignInConfig,
} from '../../../src/verifier/index.js';
import { FAILURE_DETAILS } from '../../../src/protocol/reasons.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { recordingLogger } from './support.js';

let server: JwksServer;
let x509: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ algs: ['RS256'] });
  x509 = await startJwksServer({ algs: ['RS256'], mode: 'firebase-x509' });
});
afterAll(async () => {
  await Promise.all([server.close(), x509.close()]);
});

/** A verifier whose key fetches go to `target`, recording the URLs asked for. */
function verifierFor(config: VisitorSignInConfig, target: JwksServer = server) {
  const asked: string[] = [];
  const logger = recordingLogger();
  const verifier = createVisitorVerifier(config, {
    logger,
    fetch: async (url, init) => {
      asked.push(String(url));
      return globalThis.fetch(target.url, init);
    },
  });
  return { verifier, asked, logger };
}

function refused(result: VerifyResult, reason: string, detail: keyof typeof FAILURE_DETAILS): void {
  expect(result).toMatchObject({ ok: false, reason, detail });
  expect(FAILURE_DETAILS[detail].reason).toBe(reason);
}

const sign = (claims: Record<string, unknown>, options: Parameters<JwksServer['sign']>[1] = {}) => server.sign(claims, options);

describe('Auth0', () => {
  const domain = 'acme.eu.auth0.com';
  const config: VisitorSignInConfig = { mode: 'jwks', provider: 'auth0', auth0Domain: domain, audience: 'https://api.acme.example' };
  const accessToken = (extra: Record<string, unknown> = {}) =>
    sign({
      iss: `https://${domain}/`,
      sub: 'auth0|65f1c0ffee',
      aud: ['https://api.acme.example', `https://${domain}/userinfo`],
      azp: 'Xk2ClientIdOfTheSpa',
      scope: 'openid profile email',
      'https://acme.example/tier': 'gold',
      ...extra,
    });

  it('derives the JWKS URL and the issuer (with its trailing slash) from the domain', async () => {
    const { verifier, asked } = verifierFor(config);
    expect(await verifier.verifyToken(await accessToken())).toMatchObject({ ok: true, identity: { userId: 'auth0|65f1c0ffee', 'https://acme.example/tier': 'gold' } });
    expect(asked).toEqual([`https://${domain}/.well-known/jwks.json`]);
    expect(verifier.keyStatus().jwksUrl).toBe(`https://${domain}/.well-known/jwks.json`);
    expect(verifier.warnings()).toEqual([]);
  });

  it('an issuer that differs only by the trailing slash says so', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', jwksUrl: `https://${domain}/.well-known/jwks.json`, issuer: `https://${domain}`, audience: 'https://api.acme.example' });
    const result = await verifier.verifyToken(await accessToken());
    refused(result, 'bad-claim', 'iss-trailing-slash');
    expect(!result.ok && result.message).toMatch(/trailing slash/);
  });

  it('a machine-to-machine token (gty client-credentials, sub = client id + @clients) is bad-claim', async () => {
    const { verifier } = verifierFor(config);
    refused(await verifier.verifyToken(await accessToken({ sub: 'Xk2M2mClient@clients', azp: 'Xk2M2mClient', gty: 'client-credentials' })), 'bad-claim', 'machine-token');
  });

  it('an encrypted token (JWE, what getTokenSilently returns without an audience) is malformed-token and says why', async () => {
    const { verifier } = verifierFor(config);
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiaXNzIjoiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8ifQ..q3LmF0pW8Z1dJ6tC.HZ7Q2m5pZXh0c2VjcmV0.dGFnLXRhZy10YWctdGFn';
    const result = await verifier.verifyToken(jwe);
    refused(result, 'malformed-token', 'encrypted-token');
    expect(!result.ok && result.message).toMatch(/encrypted.*Auth0.*audience/);
  });

  it('without Audience it still verifies, with a warning that any application of the tenant can sign visitors in', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'auth0', auth0Domain: domain });
    expect(await verifier.verifyToken(await accessToken())).toMatchObject({ ok: true });
    expect(verifier.warnings()).toEqual([{ code: 'no-audience', message: expect.stringMatching(/any application of this tenant can sign visitors in/) }]);
  });

  it('refuses typed settings that contradict the preset, and malformed domains', () => {
    const checked = validateVisitorSignInConfig({ ...config, jwksUrl: 'https://other.example/jwks.json', issuer: 'https://other.example/' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.fields.jwksUrl).toMatch(/derives the JWKS URL/);
      expect(checked.fields.issuer).toMatch(/derives the Issuer/);
    }
    const bad = validateVisitorSignInConfig({ ...config, auth0Domain: 'https://acme.eu.auth0.com/path' });
    expect(bad.ok || bad.fields.auth0Domain).toMatch(/host name/);
    // Missing domain: valid but incomplete, like a JWKS mode without a URL.
    expect(validateVisitorSignInConfig({ mode: 'jwks', provider: 'auth0' }).ok).toBe(true);
  });

  it('a preset without its input answers config-incomplete naming the field', async () => {
    const result = await createVisitorVerifier({ mode: 'jwks', provider: 'auth0' }, { logger: recordingLogger() }).verifyToken(await accessToken());
    refused(result, 'config-incomplete', 'no-jwks-url');
    expect(!result.ok && result.message).toMatch(/Auth0 domain/);
  });
});

describe('Amazon Cognito', () => {
  const pool = 'eu-west-1_AbC123xyz';
  const iss = `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`;
  const clientId = '4fq0abcdefghijklmno1pqrstu';
  const idToken = (extra: Record<string, unknown> = {}) =>
    sign({ iss, sub: '9a1b2c3d-0000-4e5f-8a9b-1234567890ab', aud: clientId, token_use: 'id', email: 'ada@example.com', 'cognito:username': 'ada', auth_time: 1, ...extra });
  const accessToken = (extra: Record<string, unknown> = {}) =>
    sign({ iss, sub: '9a1b2c3d-0000-4e5f-8a9b-1234567890ab', client_id: clientId, token_use: 'access', scope: 'aws.cognito.signin.user.admin', username: 'ada', ...extra });

  it('derives the JWKS URL and the issuer from the user pool id (region from its prefix)', async () => {
    const { verifier, asked } = verifierFor({ mode: 'jwks', provider: 'cognito', cognitoUserPoolId: pool, audience: clientId });
    expect(await verifier.verifyToken(await idToken())).toMatchObject({ ok: true, identity: { email: 'ada@example.com' } });
    expect(asked).toEqual([`${iss}/.well-known/jwks.json`]);
  });

  it('accepts ID tokens by default and refuses access tokens with token-use-mismatch', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'cognito', cognitoUserPoolId: pool, audience: clientId });
    refused(await verifier.verifyToken(await accessToken()), 'bad-claim', 'token-use-mismatch');
  });

  it('with access tokens accepted, checks client_id (they carry no aud), and aud for ID tokens', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'cognito', cognitoUserPoolId: pool, audience: [clientId], cognitoTokenUse: 'both' });
    expect(await verifier.verifyToken(await accessToken())).toMatchObject({ ok: true, identity: { username: 'ada' } });
    expect(await verifier.verifyToken(await idToken())).toMatchObject({ ok: true });
    refused(await verifier.verifyToken(await accessToken({ client_id: 'another-app-client' })), 'bad-claim', 'client-id-mismatch');
    refused(await verifier.verifyToken(await idToken({ aud: 'another-app-client' })), 'bad-claim', 'aud-mismatch');
  });

  it('a client-credentials access token (sub = client_id) is a machine token', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'cognito', cognitoUserPoolId: pool, audience: clientId, cognitoTokenUse: 'access' });
    refused(await verifier.verifyToken(await accessToken({ sub: clientId, username: undefined })), 'bad-claim', 'machine-token');
  });

  it('an access token against a plain Audience is aud-missing, and the message names Cognito access tokens', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', jwksUrl: `${iss}/.well-known/jwks.json`, issuer: iss, audience: clientId });
    const result = await verifier.verifyToken(await accessToken());
    refused(result, 'bad-claim', 'aud-missing');
    expect(!result.ok && result.message).toMatch(/Cognito access tokens never carry aud/);
    // A wrong aud is a different detail from a missing one.
    refused(await verifier.verifyToken(await idToken({ aud: 'other' })), 'bad-claim', 'aud-mismatch');
  });
});

describe('Clerk', () => {
  const frontendApi = 'https://your-app.clerk.accounts.dev';
  const session = (extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return sign({ iss: frontendApi, sub: 'user_2abcDEF', sid: 'sess_2xyz', azp: 'https://shop.example', iat: now, nbf: now - 10, exp: now + 60, ...extra });
  };

  it('derives keys and issuer from the Frontend API URL and checks azp against the authorized parties', async () => {
    const { verifier, asked } = verifierFor({ mode: 'jwks', provider: 'clerk', clerkFrontendApiUrl: frontendApi, authorizedParties: ['https://shop.example'] });
    expect(await verifier.verifyToken(await session())).toMatchObject({ ok: true, identity: { userId: 'user_2abcDEF', sid: 'sess_2xyz' } });
    expect(asked).toEqual([`${frontendApi}/.well-known/jwks.json`]);
    refused(await verifier.verifyToken(await session({ azp: 'https://evil.example' })), 'bad-claim', 'azp-mismatch');
    refused(await verifier.verifyToken(await session({ azp: undefined })), 'bad-claim', 'azp-missing');
    expect(verifier.warnings()).toEqual([]);
  });

  it('without authorized parties, warns', () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'clerk', clerkFrontendApiUrl: frontendApi });
    expect(verifier.warnings().map((warning) => warning.code)).toEqual(['no-authorized-parties']);
  });
});

describe('Firebase Auth (a key set every Firebase project shares)', () => {
  const project = 'acme-shop-1a2b3';
  const firebaseToken = (projectId: string, extra: Record<string, unknown> = {}) =>
    x509.sign({
      iss: `https://securetoken.google.com/${projectId}`,
      aud: projectId,
      sub: 'victim-uid',
      user_id: 'victim-uid',
      auth_time: 1,
      firebase: { sign_in_provider: 'custom', identities: {} },
      ...extra,
    });

  it('the preset derives the x509 URL, issuer and audience from the project id', async () => {
    const { verifier, asked } = verifierFor({ mode: 'jwks', provider: 'firebase', firebaseProjectId: project }, x509);
    expect(await verifier.verifyToken(await firebaseToken(project))).toMatchObject({ ok: true, identity: { userId: 'victim-uid' } });
    expect(asked).toEqual([FIREBASE_X509_URL]);
  });

  it("a token minted by another Firebase project, with the victim's uid, never verifies", async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'firebase', firebaseProjectId: project }, x509);
    refused(await verifier.verifyToken(await firebaseToken('attacker-project')), 'bad-claim', 'iss-mismatch');
    refused(await verifier.verifyToken(await firebaseToken('attacker-project', { iss: `https://securetoken.google.com/${project}` })), 'bad-claim', 'aud-mismatch');
  });

  it('an x509 map at a custom URL without Issuer and Audience is config-incomplete, never ok', async () => {
    for (const config of [
      { mode: 'jwks', jwksUrl: 'https://keys.example.com/x509.json' },
      { mode: 'jwks', jwksUrl: 'https://keys.example.com/x509.json', issuer: `https://securetoken.google.com/${project}` },
    ] as VisitorSignInConfig[]) {
      const { verifier } = verifierFor(config, x509);
      const result = await verifier.verifyToken(await firebaseToken('attacker-project'));
      refused(result, 'config-incomplete', 'shared-key-set-needs-issuer-audience');
      expect(!result.ok && result.message).toMatch(config.issuer ? /set Audience\.$/ : /set Issuer and Audience\.$/);
    }
  });

  it("Google's key URLs are refused by the validator and answer config-incomplete without both", async () => {
    const checked = validateVisitorSignInConfig({ mode: 'jwks', jwksUrl: FIREBASE_X509_URL });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(Object.keys(checked.fields).sort()).toEqual(['audience', 'issuer']);
      expect(checked.fields.issuer).toMatch(/shared by every project/);
    }
    const { verifier, asked } = verifierFor({ mode: 'jwks', jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs', issuer: 'https://accounts.google.com' });
    refused(await verifier.verifyToken(await server.sign({ sub: 'x', iss: 'https://accounts.google.com' })), 'config-incomplete', 'shared-key-set-needs-issuer-audience');
    expect(asked).toEqual([]);
    // The config page lists it; a stored config still loads (and refuses every token).
    expect(validateVisitorSignInConfig({ mode: 'jwks', jwksUrl: FIREBASE_X509_URL }, { stored: true }).ok).toBe(true);
  });
});

describe('token-type and lifetime rules', () => {
  const base: VisitorSignInConfig = { mode: 'jwks', jwksUrl: 'https://idp.example.com/jwks.json', issuer: 'https://idp.example.com', audience: 'shop' };
  const claims = { iss: 'https://idp.example.com', aud: 'shop', sub: 'visitor-1' };

  it('a token without exp is bad-claim no-exp, unless allowTokensWithoutExp', async () => {
    const token = await sign(claims, { expiresIn: null });
    refused(await verifierFor(base).verifier.verifyToken(token), 'bad-claim', 'no-exp');
    expect(await verifierFor({ ...base, allowTokensWithoutExp: true }).verifier.verifyToken(token)).toMatchObject({ ok: true });
  });

  it('sub equal to azp or client_id is a machine token, unless allowMachineTokens', async () => {
    for (const extra of [{ azp: 'visitor-1' }, { client_id: 'visitor-1' }, { gty: 'client-credentials' }]) {
      const token = await sign({ ...claims, ...extra });
      refused(await verifierFor(base).verifier.verifyToken(token), 'bad-claim', 'machine-token');
      expect(await verifierFor({ ...base, allowMachineTokens: true }).verifier.verifyToken(token)).toMatchObject({ ok: true });
    }
  });

  it('Audience may list several values: the token must hold at least one', async () => {
    const { verifier } = verifierFor({ ...base, audience: ['shop', 'shop-mobile'] });
    expect(await verifier.verifyToken(await sign({ ...claims, aud: 'shop-mobile' }))).toMatchObject({ ok: true });
    expect(await verifier.verifyToken(await sign({ ...claims, aud: ['other', 'shop'] }))).toMatchObject({ ok: true });
    refused(await verifier.verifyToken(await sign({ ...claims, aud: ['other', 'third'] })), 'bad-claim', 'aud-mismatch');
    refused(await verifier.verifyToken(await sign({ ...claims, aud: undefined })), 'bad-claim', 'aud-missing');
  });

  it("the token's alg must match the key's declared alg, and the message says so (not an unknown kid)", async () => {
    const key = server.keys.get('RS256')!;
    const published = { keys: server.jwks().keys.map((jwk) => ({ ...jwk, alg: 'PS256' })) };
    const verifier = createVisitorVerifier(base, {
      logger: recordingLogger(),
      fetch: async () => new Response(JSON.stringify(published), { status: 200, headers: { 'content-type': 'application/json' } }),
    });
    const result = await verifier.verifyToken(await sign(claims, { kid: key.kid }));
    refused(result, 'bad-signature', 'alg-mismatch');
    expect(!result.ok && result.message).toMatch(/alg/);
    const unknown = await verifier.verifyToken(await sign(claims, { kid: 'rotated-too-early' }));
    refused(unknown, 'bad-signature', 'unknown-kid');
    expect(!unknown.ok && unknown.message).toMatch(/publish the new key in the JWKS before signing with it/);
  });

  it('every failed result carries a detail code from the one table, and the log line carries the same', async () => {
    const { verifier, logger } = verifierFor(base);
    const results = [
      await verifier.verifyToken('not-a-token'),
      await verifier.verifyAuthorization(null),
      await verifier.verifyToken(await sign({ ...claims, iss: 'https://elsewhere.example' })),
      await verifier.verifyToken(await sign(claims, { expiresIn: -3600 })),
    ];
    const details = results.map((result) => (result.ok ? null : result.detail));
    expect(details).toEqual(['not-compact-jws', 'no-authorization-header', 'iss-mismatch', 'exp-passed']);
    expect(logger.events('visitor-token-refused').map((line) => (line.obj as { detail: string }).detail)).toEqual(details);
    // Logs carry codes, never claim values.
    expect(logger.text().join('\n')).not.toContain('elsewhere.example');
  });
});

describe('messages', () => {
  it('name settings, not buttons, and stay one sentence', async () => {
    const { verifier } = verifierFor({ mode: 'jwks', provider: 'auth0', auth0Domain: 'acme.eu.auth0.com', audience: 'x' });
    const result = await verifier.verifyToken(await sign({ iss: 'https://acme.eu.auth0.com/', aud: 'x', sub: 'u' }, { kid: 'nope' }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).not.toMatch(/click|button/i);
      expect(result.message.split(/\.\s/)).toHaveLength(1);
    }
  });
});
