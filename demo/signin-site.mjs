// The sign-in site: "your platform" on a different host name than the customer site.
// It serves the login form the widget opens in a popup, the demo identity provider's
// JWKS, and an endpoint that rotates the provider's signing key.
import { Hono } from 'hono';
import { listen, sameOriginPosts } from './http.mjs';
import { COOP_VALUES, mountSignInPage } from './signin-pages.mjs';

/**
 * host: the interface to bind; publicHost: the host name browsers use (a different one
 * than the customer site's); idp: the demo identity provider; customerOrigin: the one
 * origin the sign-in page may post a token to; relayUrl(): the chat backend's base URL.
 */
export async function startSignInSite({ host, port, publicHost, idp, customerOrigin, relayUrl }) {
  const app = new Hono();
  let origin = '';
  /** The switch: Cross-Origin-Opener-Policy of the sign-in page, or null for none. */
  let coop = null;

  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });
  app.use('*', sameOriginPosts(() => origin));

  app.get('/', (c) => c.redirect('/signin'));

  mountSignInPage(app, { idp, allowedOrigin: customerOrigin, relayUrl, coop: () => coop });

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
    /** Sets the sign-in page's Cross-Origin-Opener-Policy (null: none). */
    setCoop(value) {
      if (value !== null && !COOP_VALUES.includes(value)) throw new TypeError(`COOP is one of ${COOP_VALUES.join(', ')}, or null.`);
      coop = value;
    },
    get coop() {
      return coop;
    },
    signInUrl: `http://${publicHost}:${listening.port}/signin`,
    /** Server-to-server address of the JWKS (the backend does not need the browser's host name). */
    jwksUrl: `http://${host}:${listening.port}/.well-known/jwks.json`,
  };
}
