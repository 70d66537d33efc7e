import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { Logger } from 'pino';
import type { GeneratedSecretResponse, KeyStatus, TestTokenResponse } from '../../protocol/admin.js';
import { toConfigView, validateAdminConfig } from '../admin-config.js';
import { apiError } from '../http/errors.js';
import { readJsonObject, unknownFields } from '../http/json-body.js';
import { generateHmacSecret } from '../secrets.js';
import type { SignInSettings } from '../sign-in-settings.js';

const TEST_FIELDS = ['token', 'refreshJwks'] as const;
const CHALLENGE = 'Bearer realm="quincer-admin", error="invalid_token"';

/**
 * The admin API under /v1/admin: Bearer admin token (compared in constant
 * time by hono's bearerAuth), 401 with WWW-Authenticate otherwise, and no
 * CORS at all, so no web page can call it from a browser.
 */
export function adminRoutes(deps: { adminToken: string; settings: SignInSettings; logger: Logger }): Hono {
  const { settings } = deps;
  const routes = new Hono();
  const unauthorized = (c: Parameters<typeof apiError>[0]) =>
    apiError(c, 401, 'unauthorized', 'Send the admin token as Authorization: Bearer <admin token>.');
  routes.use(
    '*',
    bearerAuth({
      token: deps.adminToken,
      realm: 'quincer-admin',
      noAuthenticationHeader: { message: unauthorized, wwwAuthenticateHeader: 'Bearer realm="quincer-admin"' },
      invalidAuthenticationHeader: { message: unauthorized, wwwAuthenticateHeader: CHALLENGE },
      invalidToken: { message: unauthorized, wwwAuthenticateHeader: CHALLENGE },
    }),
  );
  routes.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  routes.get('/visitor-sign-in', (c) => c.json(toConfigView(settings.current())));

  routes.put('/visitor-sign-in', async (c) => {
    const parsed = await readJsonObject(c);
    if (!parsed.ok) return parsed.response;
    const { hmacSecret, ...rest } = parsed.value;
    const stored = settings.current().hmacSecret;
    // Absent (or "", an untouched form field) keeps the stored secret, null removes it, a string replaces it.
    const keep = hmacSecret === undefined || hmacSecret === '';
    const candidate = keep ? (stored === undefined ? rest : { ...rest, hmacSecret: stored }) : hmacSecret === null ? rest : { ...rest, hmacSecret };
    const checked = validateAdminConfig(candidate);
    if (!checked.ok) {
      return apiError(c, 400, 'invalid-config', 'The config was not saved; fix the fields listed in error.fields.', checked.fields);
    }
    settings.replace(checked.config);
    deps.logger.info({ mode: checked.config.mode }, 'visitor sign-in config replaced');
    return c.json(toConfigView(settings.current()));
  });

  routes.post('/visitor-sign-in/hmac-secret', (c) => {
    const hmacSecret = generateHmacSecret();
    settings.replace({ ...settings.current(), hmacSecret });
    deps.logger.info('visitor sign-in HMAC secret generated');
    const body: GeneratedSecretResponse = {
      hmacSecret,
      message: 'Copy this secret to your backend now; it is stored encrypted and will not be shown again.',
    };
    return c.json(body);
  });

  routes.post('/visitor-sign-in/test', async (c) => {
    const parsed = await readJsonObject(c);
    if (!parsed.ok) return parsed.response;
    const fields = unknownFields(parsed.value, TEST_FIELDS);
    const { token, refreshJwks } = parsed.value;
    if (typeof token !== 'string') fields.token = 'token must be the JWT as a string.';
    if (refreshJwks !== undefined && typeof refreshJwks !== 'boolean') fields.refreshJwks = 'refreshJwks must be true or false.';
    if (Object.keys(fields).length > 0) {
      return apiError(c, 400, 'invalid-request', 'Send { "token": "<JWT>", "refreshJwks"?: boolean }.', fields);
    }
    const verifier = settings.verifier();
    if (refreshJwks === true) {
      // A failed re-pull shows up in the verification below as jwks-fetch-failed.
      await verifier.refreshKeys().catch(() => undefined);
    }
    const result: TestTokenResponse = await verifier.verifyToken(token as string);
    return c.json(result);
  });

  routes.get('/visitor-sign-in/key-status', (c) => {
    const status: KeyStatus = settings.verifier().keyStatus();
    return c.json(status);
  });

  return routes;
}
