import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { API_PATHS, LIMITS } from '../protocol/chat.js';
import type { AdminVisitorSignInConfig } from './admin-config.js';
import { mountAdminPage } from './admin-page.js';
import { createAssistant } from './assistant.js';
import { apiError } from './http/errors.js';
import { clientKeyFor } from './limits/client-key.js';
import { resolveLimits, type BackendLimits, type LimitsOptions, type RateLimitName } from './limits/config.js';
import { createRateLimit, type RateLimit } from './limits/rate-limit.js';
import { startRetention, type Retention } from './limits/retention.js';
import { backendLogger } from './logger.js';
import { adminRoutes } from './routes/admin.js';
import { chatRoutes } from './routes/chat.js';
import { conversationRoutes, widgetConfigRoutes } from './routes/widget.js';
import { createSecretBox, loadMasterKey } from './secrets.js';
import { loadSignInSettings, type SignInSettings } from './sign-in-settings.js';
import { createMemoryRelayStore, type RelayStore } from './relay/store.js';
import { mountRelay } from './routes/relay.js';
import { openStore, type Store } from './store.js';
import { TOOLS } from './tools/catalog.js';
import type { VerifierDeps } from '../verifier/index.js';

export interface CreateAppOptions {
  /** Folder of the SQLite file (and of master.key when no master key is given). */
  dataDir: string;
  /** Token the admin API requires as `Authorization: Bearer`. */
  adminToken: string;
  /** AES-256-GCM key for secrets at rest (64 hex or 43 base64url characters); default: master.key in dataDir. */
  masterKey?: string | undefined;
  /** Applied only when the store has no config yet. */
  seedConfig?: Partial<AdminVisitorSignInConfig> | undefined;
  verifierDeps?: Partial<VerifierDeps> | undefined;
  logger: Logger;
  onRequest?: ((request: { method: string; path: string; headers: Headers }) => void) | undefined;
  /** Folder with the built browser bundles (admin.js); default: the package's dist/. */
  distDir?: string | undefined;
  /** Rate limits, retention and (used by startServer) HTTP timeouts; docs/backend-limits.md. Default DEFAULT_LIMITS. */
  limits?: LimitsOptions | undefined;
  /** The sign-in relay's transaction store (default: in memory; its rate limit is `limits.rateLimits.signInRelay`). */
  relay?: { store?: RelayStore | undefined } | undefined;
}

export interface QuincerApp {
  /** The Hono app; `app.fetch` is the request handler. */
  app: Hono;
  store: Store;
  settings: SignInSettings;
  /** The limits in force, fully defaulted. */
  limits: BackendLimits;
  /**
   * A per-client rate limit middleware with this app's client key (the same
   * mechanism as the built-in limits), for routes mounted later, e.g.
   * `app.use(path, quincer.rateLimit('signInRelay'))`. Stopped by close().
   */
  rateLimit(name: RateLimitName): RateLimit['middleware'];
  retention: Retention;
  /** Stops the purge and the rate limits' timers and closes the SQLite store. Call after the HTTP server has stopped. */
  close(): void;
}

const ADMIN_TOKEN_SHAPE = /^[A-Za-z0-9._~+/-]{16,}=*$/;
/** Origin-checked widget endpoints; everything else (admin) answers no CORS at all. */
const WIDGET_PATHS = [API_PATHS.chat, API_PATHS.widgetConfig, `${API_PATHS.conversations}/*`];

/**
 * Builds the reference backend's request handler. Everything that can be
 * wrong with the configuration (admin token, master key, stored or seed
 * config, data folder) fails here, not on the first request.
 */
export function createApp(options: CreateAppOptions): QuincerApp {
  if (typeof options.adminToken !== 'string' || !ADMIN_TOKEN_SHAPE.test(options.adminToken)) {
    throw new TypeError(
      'adminToken must be at least 16 characters of A-Z a-z 0-9 . _ ~ + / - (for example 32 random bytes in base64url).',
    );
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new TypeError('dataDir must name a folder.');
  if (typeof options.logger?.child !== 'function') throw new TypeError('logger must be a pino logger (for example pino()).');
  const logger = backendLogger(options.logger);
  const limits = resolveLimits(options.limits);
  // The key file may be written before the database, so the folder comes first.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const masterKey = loadMasterKey({ explicit: options.masterKey, dataDir: options.dataDir });
  const store = openStore(options.dataDir);
  let settings: SignInSettings;
  try {
    settings = loadSignInSettings({
      store,
      secretBox: createSecretBox(masterKey),
      seedConfig: options.seedConfig,
      verifierDeps: options.verifierDeps,
      logger,
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const assistant = createAssistant(TOOLS);
  const clientKey = clientKeyFor(limits.trustedProxyHops);
  const rateLimits: RateLimit[] = [];
  const rateLimit = (name: RateLimitName): RateLimit['middleware'] => {
    const created = createRateLimit(limits.rateLimits[name], clientKey, { delayMs: limits.rateLimitDelayMs });
    rateLimits.push(created);
    return created.middleware;
  };
  const retention = startRetention({ store, retention: limits.retention, logger });
  const distDir = options.distDir ?? defaultDistDir();

  const app = new Hono();
  app.use('*', async (c, next) => {
    const started = performance.now();
    options.onRequest?.({ method: c.req.method, path: c.req.path, headers: c.req.raw.headers });
    await next();
    // Method, path and status only: never headers, query strings or bodies. A conversation id grants
    // access to an anonymous conversation, so it is left out of the path too. A flood's 429s log at
    // debug, so it cannot fill the log.
    logger[c.res.status === 429 ? 'debug' : 'info'](
      { method: c.req.method, path: loggablePath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: LIMITS.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `The request body is larger than ${LIMITS.maxBodyBytes} bytes; send less.`),
    }),
  );
  const widgetCors = cors({
    origin: (origin) => (settings.current().allowedOrigins.includes(origin) ? origin : null),
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept'],
    // The widget reads Retry-After from a 429 to say when to try again.
    exposeHeaders: ['Retry-After', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
  for (const path of WIDGET_PATHS) app.use(path, widgetCors);
  // After CORS (a 429 must carry the CORS headers for the widget to read it; preflights are not counted).
  app.post(API_PATHS.chat, rateLimit('chat'));
  app.use(`${API_PATHS.conversations}/*`, rateLimit('history'));
  app.post('/v1/admin/visitor-sign-in/test', rateLimit('adminTest'));

  app.route(
    API_PATHS.chat,
    chatRoutes({ store, settings, assistant, logger, maxMessagesPerConversation: limits.retention.maxMessagesPerConversation }),
  );
  app.route(API_PATHS.widgetConfig, widgetConfigRoutes({ settings }));
  app.route(API_PATHS.conversations, conversationRoutes({ store, settings }));
  mountRelay(app, { settings, logger, store: options.relay?.store ?? createMemoryRelayStore(), rateLimit: rateLimit('signInRelay') });
  app.route('/v1/admin', adminRoutes({ adminToken: options.adminToken, settings, logger }));
  mountAdminPage(app, { distDir });

  app.notFound((c) => apiError(c, 404, 'not-found', `No endpoint ${c.req.method} ${c.req.path}; see the endpoint list in docs/backend.md.`));
  app.onError((error, c) => {
    // Middleware such as bearerAuth answers by throwing an HTTPException that carries its response.
    if (error instanceof HTTPException) return error.getResponse();
    logger.error({ err: { name: error.name, message: error.message } }, 'request failed');
    return apiError(c, 500, 'internal-error', 'The server failed to handle this request; try again, and check the server log if it persists.');
  });

  return {
    app,
    store,
    settings,
    limits,
    rateLimit,
    retention,
    close() {
      retention.stop();
      for (const limit of rateLimits) limit.close();
      store.close();
    },
  };
}

const CONVERSATION_PATH = new RegExp(`^(${API_PATHS.conversations}/)[^/]+`);
function loggablePath(path: string): string {
  return path.replace(CONVERSATION_PATH, '$1:id');
}

/**
 * The folder holding admin.js: beside the built module (packages/chat-backend/dist/, also when installed
 * from npm), or the workspace's build output when this file runs from source (tests, tsx).
 */
function defaultDistDir(): string {
  const beside = new URL('./', import.meta.url);
  if (existsSync(new URL('admin.js', beside))) return fileURLToPath(beside);
  return fileURLToPath(new URL('../../packages/chat-backend/dist/', import.meta.url));
}
