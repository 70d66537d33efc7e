import { serve } from '@hono/node-server';
import type { Server, ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdminVisitorSignInConfig } from './admin-config.js';
import { createApp } from './app.js';
import { resolveLimits, type BackendLimits, type LimitsOptions } from './limits/config.js';
import { createDefaultLogger } from './logger.js';
import type { RelayStore } from './relay/store.js';
import { generateAdminToken } from './secrets.js';
import type { VerifierDeps } from '../verifier/index.js';

export interface StartServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = a free port. Default 8787. */
  port?: number;
  /** SQLite file and key file live here. */
  dataDir: string;
  /** Default: QUINCER_ADMIN_TOKEN, or generated and printed once. */
  adminToken?: string;
  /** AES-256-GCM key for secrets at rest; default QUINCER_MASTER_KEY or a key file (0600) in dataDir. */
  masterKey?: string;
  /** Applied only when the store has no config yet. */
  seedConfig?: Partial<AdminVisitorSignInConfig>;
  /** E.g. allowInsecureHttp for a loopback JWKS in tests and the demo. */
  verifierDeps?: Partial<VerifierDeps>;
  /** Default: pino to stdout. */
  logger?: Logger;
  /** Observation hook for tests and the demo; called before each request is handled. */
  onRequest?: (request: { method: string; path: string; headers: Headers }) => void;
  /**
   * Rate limits, HTTP timeouts and connection cap, retention (docs/backend-limits.md).
   * Each value left out comes from its QUINCER_* environment variable, else DEFAULT_LIMITS.
   */
  limits?: LimitsOptions;
  /** The sign-in relay's transaction store; default in memory (one instance). */
  relayStore?: RelayStore;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  /** The limits in force. */
  limits: BackendLimits;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;

/** Starts the reference backend on a real HTTP server (SPEC §4). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  let adminToken = options.adminToken ?? nonEmpty(process.env.QUINCER_ADMIN_TOKEN);
  const generatedToken = adminToken === undefined;
  adminToken ??= generateAdminToken();
  const logger = options.logger ?? createDefaultLogger();
  const limits = resolveLimits(options.limits, process.env);

  const built = createApp({
    dataDir: options.dataDir,
    adminToken,
    masterKey: options.masterKey ?? nonEmpty(process.env.QUINCER_MASTER_KEY),
    seedConfig: options.seedConfig,
    verifierDeps: options.verifierDeps,
    logger,
    onRequest: options.onRequest,
    limits,
    relay: { store: options.relayStore },
  });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const started = serve({ fetch: built.app.fetch, hostname: host, port, serverOptions: httpServerOptions(limits.http) }) as Server;
      started.maxConnections = limits.http.maxConnections;
      started.once('listening', () => resolve(started));
      started.once('error', reject);
    });
  } catch (error) {
    built.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  logger.info({ url }, 'quincer backend listening');
  if (generatedToken) {
    // Printed once, on purpose outside the logger: logs never carry tokens.
    process.stderr.write(
      `\nQuincer admin token (generated for this run; set QUINCER_ADMIN_TOKEN to keep one):\n  ${adminToken}\n\n`,
    );
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port: bound,
    adminToken,
    limits: built.limits,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => built.close());
      return closing;
    },
  };
}

/**
 * Node checks the request and header timeouts on a timer (every 30 s by
 * default), so a slow client would live up to 30 s past its timeout; checking
 * at a quarter of the shortest one keeps the drop within seconds.
 */
function httpServerOptions(http: BackendLimits['http']): ServerOptions {
  return {
    requestTimeout: http.requestTimeoutMs,
    headersTimeout: http.headersTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(http.headersTimeoutMs / 4))),
  };
}


function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
