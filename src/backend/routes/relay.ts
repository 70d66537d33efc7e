/**
 * The sign-in relay (docs/wire-protocol.md, "Sign-in relay"): the return path
 * for a popup sign-in whose window.opener a Cross-Origin-Opener-Policy cut.
 *
 * - register (widget): a state and the SHA-256 of a secret only the widget holds;
 * - deliver (the sign-in page): `{ state, token }`, accepted only from the
 *   configured Sign-in URL's origin (checked here on the Origin header, not
 *   left to CORS: a no-cors text/plain POST skips the preflight), only for a
 *   registered, unexpired, unused state, and only when the verifier accepts
 *   the token;
 * - announce (the sign-in page, on load without an opener): "I am open, the token
 *   will come this way", so the widget keeps waiting although its popup reads closed;
 * - collect (widget, long poll): the token, once, to whoever proves the secret;
 * - cancel (widget): forgets the transaction.
 *
 * Unknown, expired, reused and wrongly proven states all get one byte-identical
 * refusal. Nothing here logs a state, a secret or a token.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { Logger } from 'pino';
import {
  RELAY_MAX_TTL_SECONDS,
  RELAY_MAX_WAIT_SECONDS,
  RELAY_PATHS,
  RELAY_REFUSED_CODE,
  RELAY_STATE_PATTERN,
  RELAY_VALUE_PATTERN,
  type RelayAnnounceResponse,
  type RelayCollectResponse,
  type RelayDeliverResponse,
  type RelayRegisterResponse,
} from '../../protocol/signin.js';
import { isCompactJws } from '../../protocol/jws.js';
import { apiError } from '../http/errors.js';
import { readJsonObject } from '../http/json-body.js';
import { provesSecret } from '../relay/secret.js';
import type { RelayStore } from '../relay/store.js';
import type { SignInSettings } from '../sign-in-settings.js';

export interface RelayDeps {
  settings: SignInSettings;
  store: RelayStore;
  logger: Logger;
  /** The per-client rate limit of the relay's endpoints (the backend's `signInRelay` limit). */
  rateLimit: MiddlewareHandler;
  /** Injectable clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** The shortest lifetime a transaction gets, whatever the widget asks: a popup needs some time. */
const MIN_TTL_SECONDS = 1;
/** How often a held collect re-reads the store (a shared store may get the token on another instance). */
const COLLECT_RECHECK_MS = 250;
const REFUSAL_MESSAGE = 'This sign-in cannot be completed here. Close the sign-in window and select "Sign in to continue" again.';

/** Mounts the relay's four endpoints, with their own CORS and rate limit, on the app. */
export function mountRelay(app: Hono, deps: RelayDeps): void {
  const now = deps.now ?? Date.now;
  const { settings, store } = deps;
  const log = deps.logger.child({ component: 'signin-relay' });
  const limit = deps.rateLimit;
  const wakers = new Map<string, Set<() => void>>();
  const wake = (state: string): void => {
    for (const waker of wakers.get(state) ?? []) waker();
  };

  const signInOrigin = (): string | null => {
    const url = settings.current().signInUrl;
    if (!url) return null;
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  const siteCors = cors({
    origin: (origin) => (settings.current().allowedOrigins.includes(origin) ? origin : null),
    allowMethods: ['POST'],
    // The widget sends its visitor token on every request while it holds one (SPEC §2.5); the relay ignores it.
    allowHeaders: ['Content-Type', 'Authorization'],
    maxAge: 600,
  });
  const signInCors = cors({
    origin: (origin) => (origin === signInOrigin() ? origin : null),
    allowMethods: ['POST'],
    allowHeaders: ['Content-Type'],
    maxAge: 600,
  });
  const refused = (c: Context, step: string): Response => {
    log.info({ step }, 'sign-in relay refused');
    return apiError(c, 404, RELAY_REFUSED_CODE, REFUSAL_MESSAGE);
  };
  const fromSite = (c: Context): boolean => {
    const origin = c.req.header('origin');
    return origin !== undefined && settings.current().allowedOrigins.includes(origin);
  };
  const originRefused = (c: Context, who: string): Response =>
    apiError(c, 403, 'relay-origin-refused', `This relay endpoint answers only ${who}; check the site's allowed origins and Sign-in URL in the config.`);

  for (const path of [RELAY_PATHS.register, RELAY_PATHS.collect, RELAY_PATHS.cancel]) app.use(path, siteCors);
  app.use(RELAY_PATHS.deliver, signInCors);
  app.use(RELAY_PATHS.announce, signInCors);
  for (const path of Object.values(RELAY_PATHS)) {
    app.use(path, async (c, next) => {
      c.header('Cache-Control', 'no-store');
      await next();
    });
    app.use(path, limit);
  }

  app.post(RELAY_PATHS.register, async (c) => {
    if (!fromSite(c)) return originRefused(c, "the site's own pages (an allowed origin)");
    const body = await readJsonObject(c);
    if (!body.ok) return body.response;
    const { state, secretHash, ttlSeconds } = body.value;
    if (!isState(state) || !isValue(secretHash) || typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds)) {
      return apiError(c, 400, 'invalid-request', 'Send { state, secretHash, ttlSeconds }: a 43–128 character base64url state, a 43 character base64url SHA-256 and a number of seconds.');
    }
    const ttl = Math.min(RELAY_MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, Math.ceil(ttlSeconds)));
    const at = now();
    if (!(await store.register(state, secretHash, at + ttl * 1000, at))) return refused(c, 'register');
    const response: RelayRegisterResponse = { expiresIn: ttl };
    return c.json(response, 201);
  });

  const fromSignInPage = (c: Context): boolean => {
    const expected = signInOrigin();
    return expected !== null && c.req.header('origin') === expected;
  };

  app.post(RELAY_PATHS.announce, async (c) => {
    if (!fromSignInPage(c)) return originRefused(c, "the configured Sign-in URL's origin");
    const body = await readDeliverBody(c);
    if (body === null) return apiError(c, 400, 'invalid-request', 'Send { state } as JSON (Content-Type application/json or text/plain).');
    if (!isState(body.state) || !(await store.attach(body.state, now()))) return refused(c, 'announce');
    wake(body.state);
    const response: RelayAnnounceResponse = { announced: true };
    return c.json(response);
  });

  app.post(RELAY_PATHS.deliver, async (c) => {
    if (!fromSignInPage(c)) return originRefused(c, "the configured Sign-in URL's origin");
    const body = await readDeliverBody(c);
    if (body === null) {
      return apiError(c, 400, 'invalid-request', 'Send { state, token } as JSON (Content-Type application/json or text/plain).');
    }
    const { state, token } = body;
    if (!isState(state)) return refused(c, 'deliver');
    if (!isCompactJws(token)) return apiError(c, 400, 'invalid-request', 'token must be a compact JWS, exactly as your backend issued it.');
    const verification = await settings.verifier().verifyToken(token);
    if (!verification.ok) return apiError(c, 400, 'relay-token-refused', verification.message);
    if (!(await store.deliver(state, token, now()))) return refused(c, 'deliver');
    wake(state);
    const response: RelayDeliverResponse = { delivered: true };
    return c.json(response);
  });

  app.post(RELAY_PATHS.collect, async (c) => {
    if (!fromSite(c)) return originRefused(c, "the site's own pages (an allowed origin)");
    const proof = await readProof(c);
    if (!proof.ok) return proof.response;
    const { state, secret, waitSeconds, attached } = proof;
    const first = await store.get(state, now());
    if (!first || first.collected || !provesSecret(secret, first.secretHash)) return refused(c, 'collect');

    const deadline = Math.min(now() + waitSeconds * 1000, first.expiresAt);
    const signal = c.req.raw.signal;
    for (;;) {
      const token = await store.take(state, now());
      if (token !== null) {
        const response: RelayCollectResponse = { token };
        return c.json(response);
      }
      const current = await store.get(state, now());
      if (!current || current.collected) return refused(c, 'collect');
      const left = deadline - now();
      if (current.attached !== attached || left <= 0 || signal.aborted) {
        const response: RelayCollectResponse = { token: null, attached: current.attached };
        return c.json(response);
      }
      await pause(Math.min(left, COLLECT_RECHECK_MS), state, wakers, signal);
    }
  });

  app.post(RELAY_PATHS.cancel, async (c) => {
    if (!fromSite(c)) return originRefused(c, "the site's own pages (an allowed origin)");
    const proof = await readProof(c);
    if (!proof.ok) return proof.response;
    const found = await store.get(proof.state, now());
    if (!found || !provesSecret(proof.secret, found.secretHash)) return refused(c, 'cancel');
    await store.retire(proof.state, now());
    return c.body(null, 204);
  });
}

type Proof = { ok: true; state: string; secret: string; waitSeconds: number; attached: boolean } | { ok: false; response: Response };

async function readProof(c: Context): Promise<Proof> {
  const body = await readJsonObject(c);
  if (!body.ok) return body;
  const { state, secret, waitSeconds, attached } = body.value;
  if (!isState(state) || !isValue(secret)) return { ok: false, response: apiError(c, 404, RELAY_REFUSED_CODE, REFUSAL_MESSAGE) };
  const wait = typeof waitSeconds === 'number' && Number.isFinite(waitSeconds) ? waitSeconds : RELAY_MAX_WAIT_SECONDS;
  return { ok: true, state, secret, waitSeconds: Math.min(RELAY_MAX_WAIT_SECONDS, Math.max(0, wait)), attached: attached === true };
}

/** JSON sent as application/json or as text/plain (a no-cors POST cannot send application/json). */
async function readDeliverBody(c: Context): Promise<{ state: unknown; token?: unknown } | null> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/json|text\/plain)\s*(;|$)/i.test(type)) return null;
  try {
    const value: unknown = JSON.parse(await c.req.text());
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const record = value as Record<string, unknown>;
    return { state: record['state'], token: record['token'] };
  } catch {
    return null;
  }
}

function isState(value: unknown): value is string {
  return typeof value === 'string' && RELAY_STATE_PATTERN.test(value);
}

function isValue(value: unknown): value is string {
  return typeof value === 'string' && RELAY_VALUE_PATTERN.test(value);
}

function pause(ms: number, state: string, wakers: Map<string, Set<() => void>>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let set = wakers.get(state);
    if (!set) wakers.set(state, (set = new Set()));
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      set.delete(done);
      if (set.size === 0) wakers.delete(state);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    signal.addEventListener('abort', done, { once: true });
  });
}
