// The sign-in site: "your platform" on a different host name than the customer site.
// It serves the login form the widget opens in a popup, the demo identity provider's
// JWKS, and an endpoint that rotates the provider's signing key.
import { join } from 'node:path';
import { Hono } from 'hono';
import { DEMO_DIR, DIST_DIR, cspHeader, fileResponse, jsonBody, listen, sameOriginPosts } from './http.mjs';
import { DEMO_PASSWORD, DEMO_USERS, findDemoUser } from './idp.mjs';

const PAGES = join(DEMO_DIR, 'signin-site');

/**
 * host: the interface to bind; publicHost: the host name browsers use (a different one
 * than the customer site's); idp: the demo identity provider; customerOrigin: the one
 * origin the sign-in page may post a token to.
 */
export async function startSignInSite({ host, port, publicHost, idp, customerOrigin }) {
  const app = new Hono();
  let origin = '';

  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });
  app.use('*', sameOriginPosts(() => origin));

  app.get('/', (c) => c.redirect('/signin'));

  app.get('/signin', async (c) => {
    const response = await fileResponse(c, join(PAGES, 'signin.html'), {
      ALLOWED_ORIGIN: customerOrigin(),
      PASSWORD: DEMO_PASSWORD,
      USERS: DEMO_USERS.map((user) => user.username).join(', '),
    });
    // A real sign-in page refuses to be framed (clickjacking). It must not send
    // Cross-Origin-Opener-Policy: same-origin either, or window.opener is cut.
    response.headers.set('content-security-policy', cspHeader({ 'frame-ancestors': "'none'", 'form-action': "'self'" }));
    return response;
  });
  app.get('/signin-page.js', (c) => fileResponse(c, join(PAGES, 'signin-page.js')));
  app.get('/signin.css', (c) => fileResponse(c, join(PAGES, 'signin.css')));
  app.get('/quincer-signin.js', (c) => fileResponse(c, join(DIST_DIR, 'quincer-signin.js')));

  app.post('/login', async (c) => {
    const body = await jsonBody(c);
    const user = findDemoUser(typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '');
    if (!user || body?.password !== DEMO_PASSWORD) {
      return c.json({ error: { code: 'bad-credentials', message: `Unknown user or wrong password. Try alice, bob or carol with the password "${DEMO_PASSWORD}".` } }, 401);
    }
    return c.json({ token: await idp.tokenFor(user), user: { username: user.username, name: user.name } });
  });

  app.get('/.well-known/jwks.json', (c) => {
    c.header('cache-control', 'no-store');
    return c.json(idp.jwks());
  });
  app.post('/idp/rotate', async (c) => c.json({ kid: await idp.rotate() }));

  const listening = await listen(app, { host, port });
  origin = `http://${publicHost}:${listening.port}`;
  return {
    ...listening,
    origin,
    signInUrl: `http://${publicHost}:${listening.port}/signin`,
    /** Server-to-server address of the JWKS (the backend does not need the browser's host name). */
    jwksUrl: `http://${host}:${listening.port}/.well-known/jwks.json`,
  };
}
