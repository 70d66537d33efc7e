// The customer site: a shop page that embeds the widget by script tag (async, with the
// pre-load snippet), signs its own visitors in and out, and offers buttons that provoke
// each verification failure. Its /demo/* endpoints stand in for the shop's own backend:
// they mint tokens with the demo identity provider and hold the backend's admin token
// server-side (it never reaches the browser).
import { join } from 'node:path';
import { Hono } from 'hono';
import { DEMO_DIR, DIST_DIR, cspHeader, fileResponse, jsonBody, listen, sameOriginPosts } from './http.mjs';
import { DEMO_USERS, findDemoUser } from './idp.mjs';
import { COOP_VALUES, mountSignInPage } from './signin-pages.mjs';

const PAGES = join(DEMO_DIR, 'customer-site');
const TOKEN_KINDS = ['valid', 'expired', 'unknown-key', 'malformed', 'no-sub'];

/**
 * host/publicHost: where it listens and the host name browsers use; idp: the demo
 * identity provider; signInOrigin(): the sign-in site; backend(): { url, adminToken };
 * admin: the helpers of demo/admin.mjs bound to the backend; signInSite: the sign-in site (its COOP switch).
 */
export async function startCustomerSite({ host, port, publicHost, idp, signInOrigin, backend, admin, signInSite }) {
  const app = new Hono();
  let origin = '';

  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
  });
  app.use('/demo/*', sameOriginPosts(() => origin));

  app.get('/', async (c) => {
    const response = await fileResponse(c, join(PAGES, 'index.html'), {
      API_URL: backend().url,
      USER_OPTIONS_HINT: DEMO_USERS.map((user) => user.username).join(', '),
    });
    response.headers.set(
      'content-security-policy',
      cspHeader({ 'connect-src': `'self' ${new URL(backend().url).origin}`, 'frame-src': signInOrigin() }),
    );
    // ?coop=same-origin serves the shop with that Cross-Origin-Opener-Policy (docs/coop.md): the popup loses
    // window.opener and the token comes back through the relay.
    const coop = c.req.query('coop');
    if (coop && COOP_VALUES.includes(coop)) response.headers.set('cross-origin-opener-policy', coop);
    return response;
  });
  for (const file of ['loader.js', 'page.js', 'site.css']) {
    app.get(`/${file}`, (c) => fileResponse(c, join(PAGES, file)));
  }
  app.get('/chat-widget.js', (c) => fileResponse(c, join(DIST_DIR, 'chat-widget.js')));
  // The widget's popup flow, loaded on first need from beside chat-widget.js.
  app.get('/chat-widget-signin.js', (c) => fileResponse(c, join(DIST_DIR, 'chat-widget-signin.js')));

  // The same sign-in page on the shop's own origin (?signInUrl=same-origin on the shop): with COOP
  // cutting window.opener, the token comes back over a BroadcastChannel, without the backend.
  app.use('/login', sameOriginPosts(() => origin));
  app.use('/session', sameOriginPosts(() => origin));
  mountSignInPage(app, { idp, allowedOrigin: () => origin, relayUrl: () => backend().url, coop: () => null });

  // The sign-in site's COOP switch, for the page's controls.
  app.get('/demo/signin-coop', (c) => c.json({ coop: signInSite().coop }));
  app.post('/demo/signin-coop', async (c) => {
    const body = await jsonBody(c);
    const value = body?.coop ?? null;
    if (value !== null && !COOP_VALUES.includes(value)) {
      return c.json({ error: { code: 'unknown-coop', message: `coop is one of ${COOP_VALUES.join(', ')}, or null.` } }, 400);
    }
    signInSite().setCoop(value);
    return c.json({ coop: value });
  });

  // The shop's own "give me a Quincer token for my signed-in user" endpoint, plus the
  // kinds of bad token the demo buttons use.
  app.post('/demo/token', async (c) => {
    const body = await jsonBody(c);
    const user = findDemoUser(body?.username);
    const kind = body?.kind ?? 'valid';
    if (!user) return c.json({ error: { code: 'unknown-user', message: 'Pick alice, bob or carol.' } }, 400);
    if (!TOKEN_KINDS.includes(kind)) return c.json({ error: { code: 'unknown-kind', message: `kind is one of ${TOKEN_KINDS.join(', ')}.` } }, 400);
    return c.json({ token: await idp.tokenFor(user, kind) });
  });

  app.get('/demo/state', (c) => c.json({ mode: idp.mode, kid: idp.kid }));

  app.post('/demo/mode', async (c) => {
    const body = await jsonBody(c);
    if (body?.mode === 'hmac') await admin.switchToHmac();
    else if (body?.mode === 'jwks') await admin.switchToJwks();
    else return c.json({ error: { code: 'unknown-mode', message: 'mode is "jwks" or "hmac".' } }, 400);
    return c.json({ mode: idp.mode, kid: idp.kid });
  });

  app.post('/demo/rotate-key', async (c) => c.json({ kid: await idp.rotate() }));

  // "Refresh JWKS + verify" on the Test card, with a fresh token for the user.
  app.post('/demo/refresh-jwks', async (c) => {
    const body = await jsonBody(c);
    const user = findDemoUser(body?.username) ?? DEMO_USERS[0];
    return c.json(await admin.testToken(await idp.tokenFor(user), { refreshJwks: true }));
  });

  const listening = await listen(app, { host, port });
  origin = `http://${publicHost}:${listening.port}`;
  return { ...listening, origin, url: `${origin}/` };
}
