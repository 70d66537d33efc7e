/**
 * The three packages as customers get them: packed to tarballs, installed into fresh projects with
 * their dependencies from the registry (npm's cache makes that quick after the repository's own
 * install), then used the way each kind of user uses them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll } from '../../scripts/pack.mjs';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'quincer-install-'));
const children: ChildProcess[] = [];
let tarballs: Record<'widget' | 'verifier' | 'backend', string>;

/** A fresh consumer project with `tarballs` installed as a customer would (`npm install <file>`). */
async function project(name: string, files: string[], extraArgs: string[] = []): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, version: '1.0.0' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extraArgs, ...files], { cwd: dir, timeout: 240_000 });
  return dir;
}

/** Every package folder under node_modules, scoped ones included. */
function installedPackages(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  const found: string[] = [];
  const visit = (folder: string) => {
    for (const name of readdirSync(folder)) {
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      if (name.startsWith('@')) visit(path);
      else if (existsSync(join(path, 'package.json'))) {
        found.push(path);
        if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
      }
    }
  };
  visit(modules);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function node(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return stdout;
}

beforeAll(async () => {
  const [verifier, widget, backend] = packAll(join(root, 'tarballs')).map((p) => p.tarball);
  tarballs = { verifier: verifier!, widget: widget!, backend: backend! };
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('package metadata', () => {
  it('publint finds nothing to fix in any package', async () => {
    const { publint } = await import('publint');
    for (const folder of ['chat-widget', 'visitor-verifier', 'chat-backend']) {
      const { messages } = await publint({ pkgDir: join('packages', folder), level: 'suggestion', strict: true });
      expect(messages, folder).toEqual([]);
    }
  });

  it('are-the-types-wrong finds no problem for node16 (CommonJS and ESM) and bundler resolution', async () => {
    for (const tarball of Object.values(tarballs)) {
      // The script-tag files are <script src> assets, not modules: they have no types to resolve.
      // The node16 profile checks node16 from CommonJS, node16 from ESM and bundler; it exits non-zero on any problem.
      const args = [tarball, '--profile', 'node16', '--no-color', '--exclude-entrypoints', './chat-widget.js', './chat-widget-signin.js', './quincer-signin.js'];
      const result = await run(process.execPath, ['node_modules/@arethetypeswrong/cli/dist/index.js', ...args]).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).not.toMatch(/❌|⚠️|🐛|🥴|❗|🎭/u);
    }
  });

  it('no published manifest points at a local path', () => {
    for (const folder of ['chat-widget', 'visitor-verifier', 'chat-backend']) {
      const manifest = readFileSync(join('packages', folder, 'package.json'), 'utf8');
      expect(manifest).not.toMatch(/"(file|workspace|link):/);
      expect(existsSync(join('packages', folder, 'LICENSE'))).toBe(true);
    }
  });
});

describe('@quincer/chat-widget in a fresh project', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('widget', [tarballs.widget]);
  }, 240_000);

  it('adds at most 6 packages, itself included, with no install script and nothing native', () => {
    const packages = installedPackages(dir);
    expect(packages.length).toBeLessThanOrEqual(6);
    for (const path of packages) {
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
      expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s)), path).toEqual([]);
      expect(existsSync(join(path, 'binding.gyp')), path).toBe(false);
    }
    expect(filesUnder(join(dir, 'node_modules')).filter((file) => file.endsWith('.node'))).toEqual([]);
  });

  it('import and require both work for every entry, in Node (server-side rendering) without a DOM', async () => {
    const esm = await node(dir, [
      '--input-type=module',
      '-e',
      `const w = await import('@quincer/chat-widget'); const s = await import('@quincer/chat-widget/signin');
       console.log(typeof w.createChatWidget, typeof w.ChatWidget.init, typeof w.PopupSignIn, typeof s.postTokenToWidget);`,
    ]);
    expect(esm.trim()).toBe('function function function function');
    const cjs = await node(dir, [
      '-e',
      `const w = require('@quincer/chat-widget'); const s = require('@quincer/chat-widget/signin');
       console.log(typeof w.createChatWidget, typeof w.ChatWidget.init, typeof w.PopupSignIn, typeof s.postTokenToWidget);`,
    ]);
    expect(cjs.trim()).toBe('function function function function');
  });

  it('the script-tag files resolve through the package, and a Vite build copies them with ?url', async () => {
    const resolved = await node(dir, [
      '-e',
      `console.log(require.resolve('@quincer/chat-widget/chat-widget.js')); console.log(require.resolve('@quincer/chat-widget/quincer-signin.js'));`,
    ]);
    const [widgetFile, signinFile] = resolved.trim().split('\n');
    expect(readFileSync(widgetFile!, 'utf8')).toContain('ChatWidget');
    expect(readFileSync(signinFile!, 'utf8')).toContain('postTokenToWidget');

    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head><title>App</title></head><body><script type="module" src="/main.js"></script></body></html>',
    );
    writeFileSync(
      join(dir, 'main.js'),
      `import { ChatWidget } from '@quincer/chat-widget';
       import widgetUrl from '@quincer/chat-widget/chat-widget.js?url';
       import signinUrl from '@quincer/chat-widget/quincer-signin.js?url';
       window.__urls = [widgetUrl, signinUrl];
       ChatWidget.init({ apiUrl: 'https://chat.example.com' });`,
    );
    const { build } = await import('vite');
    const outDir = join(dir, 'out');
    await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir, assetsInlineLimit: 0 } });
    const emitted = filesUnder(outDir);
    const copy = emitted.find((file) => /chat-widget-[\w-]+\.js$/.test(file));
    expect(copy, emitted.join('\n')).toBeDefined();
    expect(readFileSync(copy!)).toEqual(readFileSync(widgetFile!));
    expect(emitted.some((file) => /quincer-signin-[\w-]+\.js$/.test(file))).toBe(true);
  });
});

describe('@quincer/visitor-verifier in a fresh project', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('verifier', [tarballs.verifier]);
  }, 240_000);

  it('installs no HTTP framework, database or logger, and nothing native', () => {
    const names = installedPackages(dir).map((path) => path.split('node_modules/').pop());
    for (const unwanted of ['hono', '@hono/node-server', 'pino', 'better-sqlite3', 'preact']) expect(names).not.toContain(unwanted);
    expect(filesUnder(join(dir, 'node_modules')).filter((file) => file.endsWith('.node'))).toEqual([]);
  });

  it('import and require both work, and the CLI runs', async () => {
    const script = `typeof m.createVisitorVerifier + ' ' + typeof m.validateVisitorSignInConfig`;
    expect((await node(dir, ['--input-type=module', '-e', `const m = await import('@quincer/visitor-verifier'); console.log(${script});`])).trim()).toBe(
      'function function',
    );
    expect((await node(dir, ['-e', `const m = require('@quincer/visitor-verifier'); console.log(${script});`])).trim()).toBe('function function');
    const help = await node(dir, [join(dir, 'node_modules/@quincer/visitor-verifier/dist/cli.js'), '--help']);
    expect(help).toContain('quincer-verify');
    expect(existsSync(join(dir, 'node_modules/.bin/quincer-verify'))).toBe(true);
  });
});

describe('@quincer/chat-backend with the verifier, in a fresh project', () => {
  let dir: string;
  beforeAll(async () => {
    // The two tarballs together resolve the backend's `@quincer/visitor-verifier` range exactly as the
    // registry would. better-sqlite3's native build is the one step skipped (--ignore-scripts): it takes
    // minutes on a 2-core machine and the repository's own install has just compiled the same version,
    // which is copied in instead.
    dir = await project('backend', [tarballs.verifier, tarballs.backend], ['--ignore-scripts']);
    const ours = JSON.parse(readFileSync('node_modules/better-sqlite3/package.json', 'utf8')).version;
    const theirs = JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
    expect(theirs).toBe(ours);
    cpSync('node_modules/better-sqlite3/build', join(dir, 'node_modules/better-sqlite3/build'), { recursive: true });
  }, 240_000);

  it('uses one copy of the verifier: the installed package, not a bundled one', () => {
    const copies = installedPackages(dir).filter((path) => path.endsWith('@quincer/visitor-verifier'));
    expect(copies).toHaveLength(1);
    const backendCode = readFileSync(join(dir, 'node_modules/@quincer/chat-backend/dist/index.js'), 'utf8');
    expect(backendCode).toContain('from "@quincer/visitor-verifier"');
    expect(backendCode).not.toContain('function createVisitorVerifier');
  });

  it('importing only the verifier loads neither hono, pino nor better-sqlite3 (import and require)', async () => {
    writeTraceHooks(dir);
    const traceFile = join(dir, 'trace.txt');
    await node(dir, ['--import', './trace.mjs', '--input-type=module', '-e', `await import('@quincer/visitor-verifier');`], { TRACE_FILE: traceFile });
    const loaded = readFileSync(traceFile, 'utf8');
    expect(loaded).toContain('/node_modules/jose/');
    expect(loaded).not.toMatch(/node_modules\/(hono|@hono|pino|better-sqlite3)\//);
    // The control: importing the backend does load them, so the trace would have seen them.
    rmSync(traceFile);
    await node(dir, ['--import', './trace.mjs', '--input-type=module', '-e', `await import('@quincer/chat-backend');`], { TRACE_FILE: traceFile });
    expect(readFileSync(traceFile, 'utf8')).toMatch(/node_modules\/hono\//);

    const required = await node(dir, [
      '-e',
      `require('@quincer/visitor-verifier');
       console.log(Object.keys(require.cache).filter((f) => /node_modules\\/(hono|@hono|pino|better-sqlite3)\\//.test(f)).length);`,
    ]);
    expect(required.trim()).toBe('0');
  });

  it('the fetch path (ipaddr.js, node:https) loads on the first key-set fetch, never for HMAC (import and require)', async () => {
    writeTraceHooks(dir);
    const traceFile = join(dir, 'trace.txt');
    const hmac = `const v = createVisitorVerifier({ mode: 'hmac', hmacSecret: '${'s'.repeat(43)}' }, { logger: { info() {}, warn() {}, error() {} } });
      console.log((await v.verifyToken('eyJhbGciOiJIUzI1NiJ9.e30.c2ln')).reason);`;
    const jwks = `const v = createVisitorVerifier({ mode: 'jwks', jwksUrl: 'http://127.0.0.1:9/jwks.json' }, { logger: { info() {}, warn() {}, error() {} } });
      console.log((await v.verifyToken('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')).reason);`;
    for (const [body, expected] of [[hmac, 'bad-signature'], [jwks, 'jwks-fetch-failed']] as const) {
      rmSync(traceFile, { force: true });
      const esm = await node(dir, ['--import', './trace.mjs', '--input-type=module', '-e', `const { createVisitorVerifier } = await import('@quincer/visitor-verifier'); ${body}`], {
        TRACE_FILE: traceFile,
      });
      expect(esm.trim()).toBe(expected);
      const cjs = await node(dir, ['-e', `(async () => { const { createVisitorVerifier } = require('@quincer/visitor-verifier'); ${body}
        console.log(Object.keys(require.cache).some((f) => f.includes('/node_modules/ipaddr.js/'))); })()`]);
      const fetched = expected === 'jwks-fetch-failed';
      expect(cjs.trim().split('\n')).toEqual([expected, String(fetched)]);
      const loaded = readFileSync(traceFile, 'utf8');
      expect(/node_modules\/ipaddr\.js\//.test(loaded)).toBe(fetched);
      expect(loaded.split('\n').includes('node:https')).toBe(fetched);
    }
  });

  it('import and require both work for the backend entry', async () => {
    const script = `typeof m.startServer + ' ' + typeof m.createApp`;
    expect((await node(dir, ['--input-type=module', '-e', `const m = await import('@quincer/chat-backend'); console.log(${script});`])).trim()).toBe(
      'function function',
    );
    expect((await node(dir, ['-e', `const m = require('@quincer/chat-backend'); console.log(${script});`])).trim()).toBe('function function');
  });

  it('its start entry starts and answers GET /v1/widget-config', async () => {
    const child = spawn(process.execPath, [join(dir, 'node_modules/.bin/quincer-chat-backend')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', PORT: '0', QUINCER_DATA_DIR: join(dir, 'data'), QUINCER_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /Quincer backend on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`the backend exited with ${code}:\n${stderr}`)));
    });
    const response = await fetch(`${url}/v1/widget-config`);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('signInUrl');
    child.kill('SIGTERM');
  });
});

/** An ESM resolve hook (`--import ./trace.mjs`) that appends every resolved URL to $TRACE_FILE. */
function writeTraceHooks(dir: string): void {
  writeFileSync(
    join(dir, 'trace-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
     export async function resolve(specifier, context, next) {
       const result = await next(specifier, context);
       appendFileSync(process.env.TRACE_FILE, result.url + '\\n');
       return result;
     }`,
  );
  writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module'; register('./trace-hooks.mjs', import.meta.url);`);
}
