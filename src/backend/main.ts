// `npm start`: the reference backend with an embedded default, configured by environment variables
// (documented in docs/backend.md; the QUINCER_* limits, read by startServer, in docs/backend-limits.md).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AdminVisitorSignInConfig } from './admin-config.js';
import { createDefaultLogger } from './logger.js';
import { DEFAULT_PORT, startServer } from './server.js';

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`PORT must be a whole number from 0 to 65535, not "${value}".`);
  }
  return port;
}

function readFlag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new TypeError(`${name} must be 1 or true (or 0, false, or unset), not "${value}".`);
}

function readSeedConfig(path: string | undefined): Partial<AdminVisitorSignInConfig> | undefined {
  if (path === undefined || path === '') return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`QUINCER_CONFIG names ${path}, which cannot be read; point it at a JSON config file.`);
  }
  try {
    return JSON.parse(text) as Partial<AdminVisitorSignInConfig>;
  } catch {
    throw new Error(`QUINCER_CONFIG file ${path} is not valid JSON.`);
  }
}

async function main(): Promise<void> {
  const logger = createDefaultLogger();
  const server = await startServer({
    host: process.env.HOST || '127.0.0.1',
    port: readPort(process.env.PORT),
    dataDir: resolve(process.env.QUINCER_DATA_DIR || 'data'),
    seedConfig: readSeedConfig(process.env.QUINCER_CONFIG),
    // JWKS and discovery fetches to private, loopback or link-local addresses over https (issue 11).
    ...(readFlag(process.env.QUINCER_ALLOW_PRIVATE_NETWORKS, 'QUINCER_ALLOW_PRIVATE_NETWORKS') ? { verifierDeps: { allowPrivateNetworks: true } } : {}),
    logger,
  });
  process.stderr.write(`Quincer backend on ${server.url} (config page: ${server.url}/admin)\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Quincer backend failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
