// `npm run demo`: starts the backend, the customer site and the sign-in site on fixed
// ports (override with the environment) and prints where to go.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, DEMO_USERS, startDemo } from './demo.mjs';

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number (0-65535), got "${raw}".`);
    process.exit(1);
  }
  return value;
}

const demo = await startDemo({
  backendPort: port('QUINCER_DEMO_BACKEND_PORT', 4300),
  sitePort: port('QUINCER_DEMO_SITE_PORT', 4301),
  signInPort: port('QUINCER_DEMO_SIGNIN_PORT', 4302),
  // Printed once below, in the banner.
  adminToken: process.env.QUINCER_ADMIN_TOKEN || randomBytes(32).toString('base64url'),
  dataDir: process.env.QUINCER_DEMO_DATA_DIR || fileURLToPath(new URL('../.demo-data/', import.meta.url)),
  logLevel: process.env.QUINCER_DEMO_LOG_LEVEL || 'warn',
}).catch((error) => {
  console.error(`The demo could not start: ${error.message}`);
  if (error.code === 'EADDRINUSE') console.error('A port is taken: set QUINCER_DEMO_BACKEND_PORT, QUINCER_DEMO_SITE_PORT or QUINCER_DEMO_SIGNIN_PORT (0 = any free port).');
  process.exit(1);
});

const users = DEMO_USERS.map((user) => user.username).join(', ');
console.log(`
Quincer chat widget demo is running.

  Customer site (open this):  ${demo.siteUrl}
  Sign-in site + demo IdP:    ${demo.signInUrl}   (JWKS: ${demo.signInOrigin}/.well-known/jwks.json)
  Reference backend:          ${demo.backendUrl}   (config page: ${demo.backendUrl}/admin)
  Admin token:                ${demo.adminToken}
  Data folder:                ${demo.dataDir}

Try it:
  1. Open ${demo.siteUrl} and open the chat (bottom corner).
  2. Ask "What are your business hours?" — answered, no sign-in.
  3. Ask "What's my account balance?" — a popup opens on ${demo.signInOrigin}.
  4. Sign in as ${users} (password "${DEMO_PASSWORD}"). The popup closes and your question is answered.
  The page's buttons sign in/out directly, provoke each failure reason, switch to HMAC mode
  and rotate the identity provider's key. See docs/demo.md, "Try the popup flow by hand".

Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('\nStopping the demo…');
    demo.close().then(() => process.exit(0));
  });
}
