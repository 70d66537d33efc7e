// startDemo(): the whole demo in one process — the reference backend, the customer site
// on http://127.0.0.1:<port> and the sign-in site with the demo identity provider on
// http://localhost:<port> (another host name, so another origin). `npm run demo` and the
// browser end-to-end tests share it.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import pino from 'pino';
import { createDemoAdmin } from './admin.mjs';
import { startCustomerSite } from './customer-site.mjs';
import { createDemoIdentityProvider } from './idp.mjs';
import { startSignInSite } from './signin-site.mjs';

const NO_TOKEN = Object.freeze({ sub: null, exp: null, alg: null, kid: null });

/**
 * What the demo's request record keeps of a bearer token: sub, exp, alg and kid, decoded
 * WITHOUT verification (for assertions and the console only; never the token itself).
 */
function describeBearer(authorization) {
  const match = /^bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return NO_TOKEN;
  const read = (decode) => {
    try {
      return decode(match[1]);
    } catch {
      return {};
    }
  };
  const payload = read(decodeJwt);
  const header = read(decodeProtectedHeader);
  const text = (value) => (typeof value === 'string' ? value : null);
  return {
    sub: text(payload.sub),
    exp: typeof payload.exp === 'number' ? payload.exp : null,
    alg: text(header.alg),
    kid: text(header.kid),
  };
}

/**
 * @param {import('./demo.d.mts').DemoOptions} [options]
 * @returns {Promise<import('./demo.d.mts').Demo>}
 */
export async function startDemo(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const signInHost = options.signInHost ?? 'localhost';
  const temporaryDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'quincer-demo-')));
  await mkdir(dataDir, { recursive: true });

  // The built package, as a customer would import it.
  const { startServer } = await import('../packages/chat-backend/dist/index.js').catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('packages/chat-backend/dist/index.js is missing: run "npm run build" first (npm run demo does).', { cause: error });
  });

  const closers = [];
  if (temporaryDataDir) closers.push(() => rm(dataDir, { recursive: true, force: true }));
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => {});
  };

  try {
    let signIn;
    let site;
    let backend;
    const idp = await createDemoIdentityProvider({ issuer: () => signIn.origin, tokenTtlSeconds: options.tokenTtlSeconds });

    signIn = await startSignInSite({
      host,
      port: options.signInPort ?? 0,
      publicHost: signInHost,
      idp,
      customerOrigin: () => site.origin,
      relayUrl: () => backend.url,
    });
    closers.push(signIn.close);

    const jwksConfig = () => ({
      mode: 'jwks',
      jwksUrl: signIn.jwksUrl,
      issuer: signIn.origin,
      signInUrl: signIn.signInUrl,
      claimMapping: null,
      allowedOrigins: [site.origin],
    });
    const admin = createDemoAdmin({ backend: () => backend, idp, jwksConfig });

    site = await startCustomerSite({
      host,
      port: options.sitePort ?? 0,
      publicHost: host,
      idp,
      signInOrigin: () => signIn.origin,
      backend: () => backend,
      admin,
      signInSite: () => signIn,
    });
    closers.push(site.close);

    // What the backend received, for the tests; bounded, since `npm run demo` may run for hours.
    const requests = [];
    const MAX_RECORDED_REQUESTS = 10_000;
    backend = await startServer({
      host,
      port: options.backendPort ?? 0,
      dataDir,
      adminToken: options.adminToken,
      seedConfig: jwksConfig(),
      verifierDeps: { allowInsecureHttp: true, ...options.verifierDeps },
      ...(options.relayRateLimit === undefined ? {} : { limits: { rateLimits: { signInRelay: { limit: options.relayRateLimit } } } }),
      logger: options.logger ?? pino({ level: options.logLevel ?? 'info' }),
      onRequest: ({ method, path, headers }) => {
        const authorization = headers.get('authorization');
        requests.push({
          method,
          path,
          origin: headers.get('origin'),
          authorization: authorization !== null,
          ...describeBearer(authorization),
          at: Date.now(),
        });
        if (requests.length > MAX_RECORDED_REQUESTS) requests.splice(0, requests.length - MAX_RECORDED_REQUESTS);
      },
    });
    closers.push(backend.close);

    // The seed applies only to an empty store; a kept data dir may hold other ports.
    await admin.switchToJwks();

    return {
      siteUrl: site.url,
      siteOrigin: site.origin,
      signInUrl: signIn.signInUrl,
      signInOrigin: signIn.origin,
      jwksUrl: signIn.jwksUrl,
      backendUrl: backend.url,
      adminToken: backend.adminToken,
      dataDir,
      idp,
      admin,
      requests,
      /** The sign-in page's Cross-Origin-Opener-Policy switch (null: none). */
      setSignInCoop: (value) => signIn.setCoop(value),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export { DEMO_PASSWORD, DEMO_USERS } from './idp.mjs';
