/**
 * A real JWKS endpoint for tests: an HTTP server on 127.0.0.1 (free port) that
 * serves the public half of freshly generated keys (RS256, ES256, EdDSA) and
 * signs tokens with the private half. Failure modes are switchable at run time
 * so tests can provoke every way a customer's JWKS URL goes wrong.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, createPublicKey, randomUUID, sign as signBytes } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export type JwksAlg = 'RS256' | 'ES256' | 'EdDSA';
export const JWKS_ALGS: readonly JwksAlg[] = ['RS256', 'ES256', 'EdDSA'];

/**
 * - `normal`: 200 with `{ keys: [...] }` (content-type application/json).
 * - `firebase-x509`: 200 with Firebase's format, `{ [kid]: "-----BEGIN CERTIFICATE-----..." }` (RSA keys only).
 * - `down`: the port is closed; connections are refused.
 * - `slow`: answers after `slowMs` (default 10 s), or never if the client gives up first.
 * - `html`: 200 with an HTML page.
 * - `oversized`: 200 with a valid JSON document of `oversizedBytes` (default 1 MiB).
 * - `oversized-chunked`: like `oversized`, without a Content-Length header.
 * - `status-500`: HTTP 500 with a JSON error body.
 * - `redirect-other-host`: 302 to the same path on `localhost` (another host than 127.0.0.1).
 * - `redirect-same-host`: 302 to `/moved` on the same origin, which serves the normal JWKS.
 */
export type JwksServerMode =
  | 'normal'
  | 'firebase-x509'
  | 'down'
  | 'slow'
  | 'html'
  | 'oversized'
  | 'oversized-chunked'
  | 'status-500'
  | 'redirect-other-host'
  | 'redirect-same-host';

export interface JwksServerOptions {
  /** Algorithms to generate a key for. Default: RS256, ES256, EdDSA. */
  algs?: readonly JwksAlg[];
  mode?: JwksServerMode;
  /** Delay of the `slow` mode, in ms. Default 10_000. */
  slowMs?: number;
  /** Size of the `oversized` document, in bytes. Default 1 MiB. */
  oversizedBytes?: number;
  /** Path the JWKS is served at. Default `/.well-known/jwks.json`. */
  path?: string;
}

export interface SigningKey {
  alg: JwksAlg;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /** PEM (SPKI) of the public key, e.g. for algorithm-confusion tokens. */
  publicPem: string;
  privatePem: string;
  /** Self-signed certificate of the public key (RSA only), for the Firebase format. */
  certificatePem: string | null;
}

export interface SignOptions {
  /** Default: the first of the server's algs (RS256 by default). */
  alg?: JwksAlg;
  /** Overrides the kid in the header (default: the current key's kid); `null` omits it. */
  kid?: string | null;
  /** Seconds from `now` to `exp`, used when the claims carry no `exp`. Default 3600; `null` sets no exp. */
  expiresIn?: number | null;
  /** Clock for iat/exp, in ms epoch. Default Date.now(). */
  now?: number;
  /** Extra protected-header parameters. */
  header?: Record<string, unknown>;
  /** Signs with this key instead of the server's current one (it need not be published). */
  key?: SigningKey;
}

export interface JwksServer {
  readonly url: string;
  readonly origin: string;
  /** Requests received at the JWKS path (and redirect targets), in every mode except `down`. */
  readonly fetchCount: number;
  readonly mode: JwksServerMode;
  /** The current key per algorithm. */
  readonly keys: ReadonlyMap<JwksAlg, SigningKey>;
  setMode(mode: JwksServerMode): Promise<void>;
  resetFetchCount(): void;
  /**
   * Replaces every key with a new one under a new kid. With `keepPrevious`, the
   * old public keys stay published beside the new ones (a graceful rotation).
   */
  rotate(options?: { keepPrevious?: boolean }): Promise<void>;
  /** The JWKS document currently published. */
  jwks(): { keys: JWK[] };
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export async function generateSigningKey(alg: JwksAlg, kid: string = `${alg.toLowerCase()}-${randomUUID()}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privatePem = await exportPKCS8(privateKey);
  const certificatePem = alg === 'RS256' ? selfSignedCertificatePem(privatePem, kid) : null;
  return { alg, kid, privateKey, publicKey, publicJwk, publicPem: await exportSPKI(publicKey), privatePem, certificatePem };
}

export async function startJwksServer(options: JwksServerOptions = {}): Promise<JwksServer> {
  const algs = options.algs ?? JWKS_ALGS;
  const path = options.path ?? '/.well-known/jwks.json';
  const slowMs = options.slowMs ?? 10_000;
  const oversizedBytes = options.oversizedBytes ?? 1024 * 1024;
  let mode: JwksServerMode = options.mode ?? 'normal';
  let fetchCount = 0;
  const current = new Map<JwksAlg, SigningKey>();
  let published: SigningKey[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();

  async function generateAll(): Promise<SigningKey[]> {
    const fresh = await Promise.all(algs.map((alg) => generateSigningKey(alg)));
    for (const key of fresh) current.set(key.alg, key);
    return fresh;
  }
  published = await generateAll();

  const jwks = () => ({ keys: published.map((key) => ({ ...key.publicJwk })) });
  const x509 = () =>
    Object.fromEntries(published.filter((key) => key.certificatePem).map((key) => [key.kid, key.certificatePem]));

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (pathname !== path && pathname !== '/moved') {
      res.writeHead(404).end();
      return;
    }
    fetchCount++;
    if (pathname === '/moved') return sendJson(res, 200, jwks());
    switch (mode) {
      case 'normal':
      case 'down':
        return sendJson(res, 200, jwks());
      case 'firebase-x509':
        res.setHeader('cache-control', 'public, max-age=19000');
        return sendJson(res, 200, x509());
      case 'slow': {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          if (!res.destroyed) sendJson(res, 200, jwks());
        }, slowMs);
        pendingTimers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          pendingTimers.delete(timer);
        });
        return;
      }
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html><head><title>Sign in</title></head><body><p>Please sign in.</p></body></html>');
        return;
      case 'oversized':
      case 'oversized-chunked': {
        const padding = 'x'.repeat(Math.max(0, oversizedBytes));
        const text = JSON.stringify({ keys: jwks().keys, padding });
        const headers: Record<string, string | number> = { 'content-type': 'application/json' };
        if (mode === 'oversized') headers['content-length'] = Buffer.byteLength(text);
        res.writeHead(200, headers);
        // Write in pieces so a client that stops reading early is noticed.
        const chunk = 16 * 1024;
        let offset = 0;
        const pump = (): void => {
          while (offset < text.length) {
            const piece = text.slice(offset, offset + chunk);
            offset += chunk;
            if (!res.write(piece)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
        return;
      }
      case 'status-500':
        return sendJson(res, 500, { error: 'internal' });
      case 'redirect-other-host': {
        const port = (server.address() as AddressInfo).port;
        res.writeHead(302, { location: `http://localhost:${port}${path}` }).end();
        return;
      }
      case 'redirect-same-host':
        res.writeHead(302, { location: '/moved' }).end();
        return;
    }
  }

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let listening = true;

  async function stopListening(): Promise<void> {
    if (!listening) return;
    listening = false;
    for (const timer of pendingTimers) clearTimeout(timer);
    pendingTimers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  async function startListening(): Promise<void> {
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    listening = true;
  }

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${path}`,
    origin,
    get fetchCount() {
      return fetchCount;
    },
    get mode() {
      return mode;
    },
    keys: current,
    async setMode(next) {
      mode = next;
      if (next === 'down') await stopListening();
      else await startListening();
    },
    resetFetchCount() {
      fetchCount = 0;
    },
    async rotate(rotateOptions = {}) {
      const previous = published;
      const fresh = await generateAll();
      published = rotateOptions.keepPrevious ? [...fresh, ...previous] : fresh;
    },
    jwks,
    async sign(claims, signOptions = {}) {
      const alg = signOptions.alg ?? signOptions.key?.alg ?? algs[0] ?? 'RS256';
      const key = signOptions.key ?? current.get(alg);
      if (!key) throw new Error(`startJwksServer was not asked to generate an ${alg} key (options.algs).`);
      const nowSeconds = Math.floor((signOptions.now ?? Date.now()) / 1000);
      const payload: JWTPayload = { ...claims };
      if (payload.iat === undefined) payload.iat = nowSeconds;
      const expiresIn = signOptions.expiresIn === undefined ? 3600 : signOptions.expiresIn;
      if (payload.exp === undefined && expiresIn !== null) payload.exp = nowSeconds + expiresIn;
      const kid = signOptions.kid === undefined ? key.kid : signOptions.kid;
      const header = { ...(signOptions.header ?? {}), alg, ...(kid === null ? {} : { kid }) };
      return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
    },
    async close() {
      await stopListening();
    },
  };
}

// A minimal DER writer, enough for a self-signed X.509 certificate (Firebase's
// format publishes certificates, not JWKs). Node can parse certificates but not
// make them, and tests must not depend on an openssl binary.
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
const SHA256_WITH_RSA = der(0x30, Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.from('0500', 'hex'));
const COMMON_NAME_OID = Buffer.from('0603550403', 'hex');
function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

/** A self-signed certificate (sha256WithRSAEncryption) for an RSA private key, as PEM. */
export function selfSignedCertificatePem(privateKeyPem: string, commonName: string): string {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const name = der(0x30, der(0x31, der(0x30, COMMON_NAME_OID, der(0x0c, Buffer.from(commonName, 'utf8')))));
  const now = Date.now();
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 256))])),
    SHA256_WITH_RSA,
    name,
    der(0x30, utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 30 * 86_400_000))),
    name,
    spki,
  );
  const signature = signBytes('sha256', tbs, privateKey);
  const certificate = der(0x30, tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
