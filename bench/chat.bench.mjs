// /v1/chat over loopback with autocannon: the same public question with a valid
// visitor token (RS256 from a real JWKS endpoint) vs. with no token. Budget: the
// token case keeps ≥ 0.9× the no-token throughput (the verifier's result cache
// makes a repeated token cheap). Runs against the BUILT dist/ (`npm run build`).
//
// The server runs in a child process (this file with --serve) so the load
// generator and the server do not share one event loop.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const QUESTION = 'What are your business hours?';
const BUDGET = 0.9;
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
const SECONDS = 8;
const ROUNDS = 2;

if (process.argv.includes('--serve')) await serve();
else await main();

async function serve() {
  const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
  const { pino } = await import('pino');
  const { startServer } = await import('../packages/chat-backend/dist/index.js');
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' };
  const jwks = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const dataDir = await mkdtemp(join(tmpdir(), 'quincer-bench-'));
  const server = await startServer({
    port: 0,
    dataDir,
    adminToken: 'bench-admin-token-0123456789abcdef',
    masterKey: '0'.repeat(64),
    seedConfig: { mode: 'jwks', jwksUrl: `http://127.0.0.1:${jwks.address().port}/jwks.json`, allowedOrigins: [] },
    // One loopback client at full speed: this bench measures the verifier's cost, so the per-client
    // chat limit is off (bench/reliability.bench.mjs measures the limits).
    limits: { rateLimits: { chat: { limit: 0 } } },
    // Production-like: info-level JSON lines, written asynchronously (to /dev/null here).
    logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  });
  const token = await new SignJWT({ email: 'alice@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-1' })
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  process.stdout.write(`${JSON.stringify({ url: server.url, token })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await server.close();
    jwks.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function main() {
  const { default: autocannon } = await import('autocannon');
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { url, token } = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  });

  const run = (authorization, duration) =>
    new Promise((resolve, reject) => {
      autocannon(
        {
          url: `${url}/v1/chat`,
          connections: CONNECTIONS,
          duration,
          requests: [
            {
              method: 'POST',
              // A new messageId per request: every request is a new turn, never an idempotent replay.
              setupRequest: (request) => ({
                ...request,
                headers: {
                  'content-type': 'application/json',
                  ...(authorization ? { authorization } : {}),
                },
                body: JSON.stringify({ conversationId: null, messageId: randomUUID(), text: QUESTION }),
              }),
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });

  const cases = [
    { name: 'no token (baseline)', authorization: null },
    { name: 'valid token (RS256, JWKS)', authorization: `Bearer ${token}` },
  ];
  for (const c of cases) await run(c.authorization, WARMUP_SECONDS);
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift (a growing database, a busy neighbour) hits both cases alike.
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const result = await run(c.authorization, SECONDS);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      samples.get(c.name).push({ rps: result.requests.average, p99: result.latency.p99, total: result.requests.total });
    }
  }
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));

  const summary = cases.map((c) => {
    const runs = samples.get(c.name);
    return {
      name: c.name,
      rps: runs.reduce((sum, r) => sum + r.rps, 0) / runs.length,
      p99: Math.max(...runs.map((r) => r.p99)),
      total: runs.reduce((sum, r) => sum + r.total, 0),
    };
  });
  const baseline = summary[0].rps;
  const rows = summary.map((s) => ({ ...s, ratio: s.rps / baseline }));
  const ratio = rows[1].ratio;
  const verdict = ratio >= BUDGET ? 'within budget' : 'OVER BUDGET';

  const date = new Date().toISOString();
  const table = [
    '| case | req/s | p99 latency (ms) | requests | ratio vs no token |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p99.toFixed(1)} | ${r.total} | ${r.ratio.toFixed(2)}× |`),
  ].join('\n');
  console.log(`\n/v1/chat over loopback, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per case (mean req/s, worst p99)\n`);
  console.log(table);
  console.log(`\nvalid token / no token = ${ratio.toFixed(2)}× (budget ≥ ${BUDGET}×): ${verdict}`);

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/chat.md', import.meta.url),
    `# /v1/chat: valid token vs. no token\n\n` +
      `Measured ${date} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, against dist/ ` +
      `(\`node bench/run.mjs chat\`).\n\n` +
      `autocannon over loopback, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${ROUNDS} rounds × ${SECONDS} s per case, ` +
      `alternating order; each request is a new turn (\`${QUESTION}\`, a fresh messageId), stored in SQLite. ` +
      `The token is RS256 from a real JWKS endpoint on loopback; the server logs at info level.\n\n` +
      `${table}\n\n` +
      `**Ratio ${ratio.toFixed(2)}×** (budget ≥ ${BUDGET}×): ${verdict}.\n`,
  );
  if (ratio < BUDGET) process.exitCode = 1;
}
