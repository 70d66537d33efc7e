// Loopback load tools for bench/reliability.bench.mjs: an HTTP client that sends from a chosen
// 127.x source address (each address is one client to the rate limiter), a key server that can go
// down and come back, token minting, the backend child process, percentiles.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** The n-th loopback source address of a group (group 1: honest visitors, 2: flooders, …). */
export const address = (group, n) => `127.${group}.${Math.floor(n / 250)}.${(n % 250) + 1}`;

/** One visitor's connection pool, bound to its own source address. */
export function visitorAgent(localAddress) {
  return new Agent({ keepAlive: true, maxSockets: 2, localAddress });
}

/**
 * POST /v1/chat; resolves { status, ms, body } where body is the JSON answer, or the SSE `end`
 * event's data. Never rejects: a broken connection is { status: 0, error }.
 */
export function chat(url, agent, { token, sse, conversationId = null, messageId = randomUUID(), text }) {
  const payload = JSON.stringify({ conversationId, messageId, text });
  const target = new URL('/v1/chat', url);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(sse ? { accept: 'text/event-stream' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('error', (error) => resolve({ status: 0, ms: performance.now() - started, error: error.code ?? error.message }));
        res.on('end', () => {
          const ms = performance.now() - started;
          try {
            resolve({ status: res.statusCode, ms, body: parseBody(res.headers['content-type'] ?? '', text), retryAfter: res.headers['retry-after'] });
          } catch (error) {
            resolve({ status: res.statusCode, ms, error: `unparsable body: ${error.message}` });
          }
        });
      },
    );
    req.on('error', (error) => resolve({ status: 0, ms: performance.now() - started, error: error.code ?? error.message }));
    req.end(payload);
  });
}

function parseBody(contentType, text) {
  if (!contentType.startsWith('text/event-stream')) return JSON.parse(text);
  let event = null;
  let end = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:') && (event === 'end' || event === 'error')) end = JSON.parse(line.slice(5).trim());
  }
  if (end === null) throw new Error('no end event');
  return end;
}

/** GET a conversation's history, from the visitor's own address (the history endpoint is rate-limited too). */
export function history(url, agent, conversationId, token) {
  const target = new URL(`/v1/conversations/${conversationId}/messages`, url);
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: {}, error: error.code }));
    req.end();
  });
}

/** A JWKS server on loopback that can go down (connections refused) and come back on the same port. */
export async function startKeyServer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-es-1', alg: 'ES256', use: 'sig' };
  let served = 0;
  const sockets = new Set();
  const server = createServer((req, res) => {
    served++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=0' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get served() {
      return served;
    },
    /** Signs a token for `sub`, valid for two hours. */
    sign: (sub) =>
      new SignJWT({ email: `${sub}@example.com` })
        .setProtectedHeader({ alg: 'ES256', kid: 'bench-es-1' })
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(privateKey),
    async down() {
      await new Promise((resolve) => {
        server.close(resolve);
        for (const socket of sockets) socket.destroy();
      });
    },
    up: () => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Starts bench/reliability/server.mjs on `dataDir`; resolves once it listens. `lines` collects its
 * log lines (warn and up), parsed.
 */
export function startBackend({ dataDir, jwksUrl, env = {}, verifierDeps }) {
  const child = spawn(process.execPath, ['--expose-gc', new URL('./server.mjs', import.meta.url).pathname, JSON.stringify({ dataDir, jwksUrl, verifierDeps })], {
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const lines = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    exited.then(({ code, signal }) => reject(new Error(`backend exited (${code ?? signal}) before listening`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (parsed.ready) {
        resolve({
          url: parsed.ready,
          limits: parsed.limits,
          child,
          lines,
          exited,
          rssKb: () => rssKb(child.pid),
          /** { heapUsed, rss } in bytes, measured by the backend right after a full GC. */
          memoryAfterGc: () =>
            new Promise((done) => {
              const timer = setTimeout(() => done({ heapUsed: NaN, rss: NaN }), 10_000);
              child.once('message', (message) => {
                clearTimeout(timer);
                done(message.memory);
              });
              child.send('memory');
            }),
        });
      } else lines.push(parsed);
    });
  });
}

export async function stopBackend(backend) {
  backend.child.stdin.end();
  await backend.exited;
}

function rssKb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** Bytes of every file in a folder (the SQLite file, its -wal and -shm, the key file). */
export function folderBytes(dir) {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarise(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
