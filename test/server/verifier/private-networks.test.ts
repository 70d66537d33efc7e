/**
 * Issue 11: key and discovery fetches cannot be aimed at the internal network.
 * https hosts resolving (after DNS; IPv4, IPv6, decimal and short forms) to
 * private, loopback or link-local addresses are refused unless the operator
 * allows private networks; plain http stays loopback-only; failures against
 * internal targets never echo what the target answered. Name resolution is a
 * real dns.lookup for `localhost` and an injected lookup for other names, so
 * nothing leaves the machine.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitorVerifier, type VerifierDeps } from '../../../src/verifier/index.js';
import { classifyAddress } from '../../../src/verifier/network-policy.js';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { recordingLogger } from './support.js';

let jwks: JwksServer;
let connections = 0;
let secretService: ReturnType<typeof createServer>;
let secretPort = 0;
beforeAll(async () => {
  jwks = await startJwksServer({ algs: ['ES256'] });
  // An "internal service" that must never be probed through the verifier.
  secretService = createServer((_req, res) => {
    res.writeHead(418, { 'content-type': 'text/plain' });
    res.end('internal-admin-console-v3');
  });
  secretService.on('connection', () => connections++);
  await new Promise<void>((resolve) => secretService.listen(0, '127.0.0.1', resolve));
  secretPort = (secretService.address() as AddressInfo).port;
});
afterAll(async () => {
  await jwks.close();
  await new Promise((resolve) => secretService.close(resolve));
});

/** A lookup that answers `addresses` for every name (what a rebinding DNS server would do). */
function fixedLookup(addresses: string[]): VerifierDeps['lookup'] {
  return ((_host: string, _options: unknown, callback: (error: null, addresses: LookupAddress[]) => void) => {
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as VerifierDeps['lookup'];
}

async function attempt(jwksUrl: string, deps: VerifierDeps = {}) {
  const logger = recordingLogger();
  const verifier = createVisitorVerifier({ mode: 'jwks', jwksUrl, issuer: 'https://idp.example', audience: 'shop' }, { logger, fetchTimeoutMs: 2_000, ...deps });
  const token = await jwks.sign({ sub: 'u', iss: 'https://idp.example', aud: 'shop' });
  const result = await verifier.verifyToken(token);
  return { result, status: verifier.keyStatus(), logger };
}

describe('address classification (ipaddr.js)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['fe80::1', 'private'],
    ['fd00::1', 'private'],
    ['0.0.0.0', 'private'],
    ['100.64.0.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('https to internal addresses is refused', () => {
  it.each([
    ['a name resolving to loopback (real DNS: localhost)', `https://localhost:${1}/jwks.json`],
    ['a loopback literal', 'https://127.0.0.1/jwks.json'],
    ['the decimal form of 127.0.0.1', 'https://2130706433/jwks.json'],
    ['the short form 127.1', 'https://127.1/jwks.json'],
    ['IPv6 loopback', 'https://[::1]/jwks.json'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/jwks.json'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['a private literal', 'https://10.0.0.8/jwks.json'],
  ])('%s', async (_label, url) => {
    const before = connections;
    const { result, status } = await attempt(url);
    expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'private-network' });
    expect(status.lastFetchError).toMatch(/private, loopback or link-local address.*allow private networks/);
    expect(connections).toBe(before);
  });

  it('a public-looking name whose DNS answer is internal (rebinding), or mixes public and private, is refused', async () => {
    for (const addresses of [['127.0.0.1'], ['93.184.216.34', '10.0.0.5'], ['fe80::1']]) {
      const { result } = await attempt('https://keys.rebind.example/jwks.json', { lookup: fixedLookup(addresses) });
      expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'private-network' });
    }
  });

  it('the check is on the address connected to: the lookup the request uses is the guarded one', async () => {
    // The name resolves to the internal service's loopback address; the connection never happens.
    const before = connections;
    const { result } = await attempt(`https://internal.example:${secretPort}/`, { lookup: fixedLookup(['127.0.0.1']) });
    expect(result).toMatchObject({ detail: 'private-network' });
    expect(connections).toBe(before);
  });

  it('http stays loopback-only: a loopback name must resolve to loopback, other hosts need allowInsecureHttp and a public address', async () => {
    const { result } = await attempt(`http://localhost:${secretPort}/`, { lookup: fixedLookup(['10.0.0.5']) });
    expect(result).toMatchObject({ detail: 'private-network' });
    const insecure = await attempt('http://keys.internal.example/jwks.json', { allowInsecureHttp: true, lookup: fixedLookup(['192.168.0.10']) });
    expect(insecure.result).toMatchObject({ detail: 'private-network' });
  });

  it('loopback http (the existing rule) keeps working, through real DNS for localhost too', async () => {
    const port = new URL(jwks.url).port;
    for (const url of [jwks.url, `http://localhost:${port}/.well-known/jwks.json`]) {
      const logger = recordingLogger();
      const verifier = createVisitorVerifier({ mode: 'jwks', jwksUrl: url, issuer: 'https://idp.example', audience: 'shop' }, { logger, lookup: dnsLookup });
      expect(await verifier.verifyToken(await jwks.sign({ sub: 'u', iss: 'https://idp.example', aud: 'shop' }))).toMatchObject({ ok: true });
    }
  });
});

describe('allowPrivateNetworks', () => {
  it('lets https reach internal hosts; a failure there still says only "unreachable, or not a key document"', async () => {
    const { result, status, logger } = await attempt(`https://127.0.0.1:${secretPort}/`, { allowPrivateNetworks: true });
    expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'jwks-unavailable' });
    expect(status.lastFetchError).toBe('The JWKS URL is unreachable, or not a key document.');
    // The operator's log keeps a cause; nothing the target said reaches the result or the status.
    expect(logger.events('jwks-fetch-failed')).toHaveLength(1);
    expect(JSON.stringify([result, status])).not.toMatch(/418|internal-admin-console|TLS/);
  });
});

describe('no echo of internal answers (the config page is not a port scanner)', () => {
  it('an internal service answering 418 with a body, and a closed port, look the same', async () => {
    const open = await attempt(`http://127.0.0.1:${secretPort}/`);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const closed = await attempt(`http://127.0.0.1:${closedPort}/`);
    for (const { result, status } of [open, closed]) {
      expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'jwks-unavailable' });
      expect(status.lastFetchError).toBe('The JWKS URL is unreachable, or not a key document.');
    }
    expect(!open.result.ok && !closed.result.ok && open.result.message === closed.result.message).toBe(true);
    expect(JSON.stringify([open.result, open.status])).not.toMatch(/418|internal-admin-console/);
  });

  it('an internal service answering JSON that is not a key set looks the same as one that is down', async () => {
    const json = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: 'billing', version: 7 }));
    });
    await new Promise<void>((resolve) => json.listen(0, '127.0.0.1', resolve));
    const { result, status, logger } = await attempt(`http://127.0.0.1:${(json.address() as AddressInfo).port}/health`);
    await new Promise((resolve) => json.close(resolve));
    expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'jwks-unavailable' });
    expect(status.lastFetchError).toBe('The JWKS URL is unreachable, or not a key document.');
    expect((logger.events('jwks-fetch-failed')[0]?.obj as { error: string }).error).toMatch(/neither a JWKS/);
  });
});
