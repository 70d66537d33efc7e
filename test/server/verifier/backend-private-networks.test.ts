/**
 * The reference backend's setting for issue 11's rule: QUINCER_ALLOW_PRIVATE_NETWORKS. The built
 * packages/chat-backend/dist/main.js runs as a subprocess with a JWKS URL on an https loopback
 * address; the admin Test endpoint shows the refusal's detail: `private-network` by default, and
 * with the setting on, the fetch goes ahead (and fails on TLS against a plain-http listener:
 * `jwks-unavailable`, with the generic message).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = 'packages/chat-backend/dist/main.js';
const ADMIN_TOKEN = 'private-networks-admin-token-0123456789abcdefghij';
const children: ChildProcess[] = [];
const dirs: string[] = [];
let listener: Server;
let port = 0;

beforeAll(async () => {
  listener = createServer((_req, res) => res.end('{"keys":[]}'));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => listener.close(resolve));
});

function start(env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quincer-private-'));
  dirs.push(dir);
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ mode: 'jwks', jwksUrl: `https://127.0.0.1:${port}/jwks.json`, issuer: 'https://idp.example', audience: 'shop' }));
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', QUINCER_DATA_DIR: dir, QUINCER_CONFIG: config, QUINCER_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /Quincer backend on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`main.js exited with ${code}:\n${stderr}`)));
  });
}

async function testToken(url: string): Promise<Record<string, unknown>> {
  // A syntactically valid token: the keys are fetched before its signature can be checked.
  const token = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.c2ln`;
  const response = await fetch(`${url}/v1/admin/visitor-sign-in/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('QUINCER_ALLOW_PRIVATE_NETWORKS', () => {
  it('unset: an https JWKS URL on a loopback address is refused as private-network', async () => {
    expect(await testToken(await start({}))).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'private-network' });
  });

  it('1: the fetch is made; its failure is reported without what the target said', async () => {
    const result = await testToken(await start({ QUINCER_ALLOW_PRIVATE_NETWORKS: '1' }));
    expect(result).toMatchObject({ ok: false, reason: 'jwks-fetch-failed', detail: 'jwks-unavailable' });
  });

  it('a value that is not a flag stops the start with a message naming the variable', async () => {
    await expect(start({ QUINCER_ALLOW_PRIVATE_NETWORKS: 'sometimes' })).rejects.toThrow(/QUINCER_ALLOW_PRIVATE_NETWORKS must be 1 or true/);
  });
});
