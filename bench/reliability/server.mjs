// The backend under test, in a process of its own so the benchmark can kill -9 it and read its RSS.
// argv[2]: JSON { dataDir, jwksUrl, verifierDeps? }. Limits come from the QUINCER_* environment
// variables the parent sets (the same path `npm start` takes). Log lines (warn and up) go to stdout
// as JSON; the first line is { ready: url }.
import { pino } from 'pino';
import { startServer } from '../../packages/chat-backend/dist/index.js';

const config = JSON.parse(process.argv[2]);
const logger = pino({ level: 'warn' }, pino.destination({ dest: 1, sync: true }));
const server = await startServer({
  port: 0,
  dataDir: config.dataDir,
  adminToken: 'bench-admin-token-0123456789abcdef',
  masterKey: '1'.repeat(64),
  seedConfig: { mode: 'jwks', jwksUrl: config.jwksUrl, allowedOrigins: [] },
  verifierDeps: config.verifierDeps ?? {},
  logger,
});
process.stdout.write(`${JSON.stringify({ ready: server.url, limits: server.limits })}\n`);
// The soak asks for the heap after a full GC (RSS alone also counts memory V8 has not given back).
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.send({ memory: { heapUsed, rss } });
});
process.stdin.resume();
process.channel?.unref();
process.stdin.on('end', () => {
  server.close().then(() => process.exit(0));
});
