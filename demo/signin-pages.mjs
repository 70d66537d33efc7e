// The demo's sign-in page, mounted on the sign-in site (another origin than the shop) and, for
// trying the BroadcastChannel path, on the shop's own origin too. It can send
// Cross-Origin-Opener-Policy (a switch, or ?coop= on its URL), and remembers a signed-in visitor
// in a session cookie when asked ("Keep me signed in"), so the next popup signs in at once.
import { join } from 'node:path';
import { getCookie, setCookie } from 'hono/cookie';
import { DEMO_DIR, DIST_DIR, cspHeader, fileResponse, jsonBody } from './http.mjs';
import { DEMO_PASSWORD, DEMO_USERS, findDemoUser } from './idp.mjs';

const PAGES = join(DEMO_DIR, 'signin-site');
export const COOP_VALUES = ['same-origin', 'same-origin-allow-popups', 'unsafe-none'];
const SESSION_COOKIE = 'demo_session';

/**
 * app: the Hono app; idp: the demo identity provider; allowedOrigin(): the one origin the page may
 * post a token to; relayUrl(): the chat backend's base URL; coop(): the switch's COOP value or null.
 */
export function mountSignInPage(app, { idp, allowedOrigin, relayUrl, coop }) {
  app.get('/signin', async (c) => {
    const response = await fileResponse(c, join(PAGES, 'signin.html'), {
      ALLOWED_ORIGIN: allowedOrigin(),
      RELAY_URL: relayUrl(),
      PASSWORD: DEMO_PASSWORD,
      USERS: DEMO_USERS.map((user) => user.username).join(', '),
    });
    // A real sign-in page refuses to be framed (clickjacking).
    response.headers.set(
      'content-security-policy',
      cspHeader({ 'frame-ancestors': "'none'", 'form-action': "'self'", 'connect-src': `'self' ${new URL(relayUrl()).origin}` }),
    );
    // Helmet's and Django's default, switchable: window.opener is cut and the relay carries the token.
    const value = COOP_VALUES.includes(c.req.query('coop')) ? c.req.query('coop') : coop();
    if (value) response.headers.set('cross-origin-opener-policy', value);
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
    if (body?.remember === true) setCookie(c, SESSION_COOKIE, user.username, { httpOnly: true, sameSite: 'Lax', path: '/' });
    return c.json({ token: await idp.tokenFor(user), user: { username: user.username, name: user.name } });
  });

  // "Already signed in here": a token for the remembered visitor, or 401.
  app.post('/session', async (c) => {
    const user = findDemoUser(getCookie(c, SESSION_COOKIE) ?? '');
    if (!user) return c.json({ error: { code: 'no-session', message: 'Not signed in on this site.' } }, 401);
    return c.json({ token: await idp.tokenFor(user), user: { username: user.username, name: user.name } });
  });
}
