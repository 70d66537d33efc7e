import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/** `npm start` runs the built packages/chat-backend/dist/main.js: this drives exactly that file as a subprocess. */
const MAIN = 'packages/chat-backend/dist/main.js';

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', QUINCER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /Quincer backend on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url, stderr: () => stderr, stdout: () => stdout, exited });
    });
    exited.then((code) => reject(new Error(`main.js exited with ${code} before listening:\n${stderr}`)));
  });
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quincer-main-'));
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test does).`);
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('npm start (packages/chat-backend/dist/main.js)', () => {
  it('starts with the embedded default, prints a generated admin token once, serves, and stops on SIGTERM', async () => {
    const dir = dataDir();
    const server = await start({ QUINCER_DATA_DIR: dir });
    const token = /^\s+([A-Za-z0-9_-]{40,})\s*$/m.exec(server.stderr())?.[1];
    expect(token).toBeDefined();
    expect(server.stderr().split(token!).length - 1).toBe(1);
    expect(server.stdout()).not.toContain(token!);

    const config = await fetch(`${server.url}/v1/widget-config`);
    expect(await config.json()).toEqual({ signInUrl: null });
    const admin = await fetch(`${server.url}/v1/admin/visitor-sign-in`, { headers: { Authorization: `Bearer ${token}` } });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ mode: 'off', hmacSecretSet: false });
    expect(existsSync(join(dir, 'quincer.sqlite'))).toBe(true);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('takes the admin token and a seed config from the environment and never prints the token', async () => {
    const dir = dataDir();
    const adminToken = 'env-admin-token-' + 'x'.repeat(24);
    const seed = join(dir, 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({ mode: 'jwks', jwksUrl: 'https://idp.example/.well-known/jwks.json', signInUrl: 'https://shop.example/sign-in', allowedOrigins: ['https://shop.example'] }),
    );
    const server = await start({ QUINCER_DATA_DIR: dir, QUINCER_ADMIN_TOKEN: adminToken, QUINCER_CONFIG: seed });
    const config = await fetch(`${server.url}/v1/widget-config`, { headers: { Origin: 'https://shop.example' } });
    expect(await config.json()).toEqual({ signInUrl: 'https://shop.example/sign-in' });
    expect(config.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const admin = await fetch(`${server.url}/v1/admin/visitor-sign-in`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(await admin.json()).toMatchObject({ mode: 'jwks', jwksUrl: 'https://idp.example/.well-known/jwks.json' });
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.stderr() + server.stdout()).not.toContain(adminToken);
    expect(readFileSync(join(dir, 'master.key')).length).toBeGreaterThan(0);
  });

  it('refuses to start on a bad setting and says which', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: 'eighty', QUINCER_DATA_DIR: dataDir() } });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be a whole number');
  });
});
