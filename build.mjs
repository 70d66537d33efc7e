// One shared options object per platform, one call per output; prints raw/gzip/brotli sizes.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { minify } from 'terser';

const watchless = { logLevel: 'warning', legalComments: 'none' };

const browser = {
  ...watchless,
  bundle: true,
  minify: true,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  // The widget must never pull server code into a browser bundle.
  external: [],
};

const node = {
  ...watchless,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
};

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

const outputs = [];
async function out(options) {
  const result = await build(options);
  outputs.push(options.outfile ?? options.outdir);
  return result;
}

// The script-tag widget loads its popup flow on first need (dist/chat-widget-signin.js): in that build
// load-flow.ts, a static import, is swapped for load-flow-script.ts, which loads the second file.
const lazySignInFlow = {
  name: 'lazy-sign-in-flow',
  setup(b) {
    b.onResolve({ filter: /\/load-flow\.js$/ }, (args) =>
      args.importer.includes('src/widget/') ? { path: new URL('src/widget/signin/load-flow-script.ts', import.meta.url).pathname } : undefined,
    );
  },
};

// A terser pass after esbuild for the scripts customers load by tag: its multi-pass compressor saves
// ~3% gzip over esbuild's single pass (the widget's budget is 16 KB gzip). Mangling of top-level
// names stays off: the IIFE's only global is assigned explicitly.
async function compact(file) {
  const result = await minify(readFileSync(file, 'utf8'), {
    ecma: 2020,
    compress: { passes: 3 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(file, result.code);
}

// Script-tag bundle: defines window.ChatWidget.
// Its targets all support class private fields natively: lowering them to WeakMaps costs ~1 KB gzip.
const widgetTarget = ['chrome100', 'firefox100', 'safari15'];
// Property names are shortened in the script-tag bundle only. It is a closed IIFE: no outside code
// hands components to its preact or reads its objects, so renaming consistently inside it is safe for
// preact's internals (__k, __e, …), its component lifecycle hooks and the widget's own plumbing.
// Nothing public, on the wire or in the DOM is in this list (the unit and e2e tests run the result).
const widgetInternalProps = new RegExp(
  '^(' +
    [
      '__[a-zA-Z]', '_sb', 'getDerivedStateFromProps', 'componentWillReceiveProps', 'getSnapshotBeforeUpdate',
      'shouldComponentUpdate', 'componentWillMount', 'componentWillUpdate', 'getChildContext',
      'getDerivedStateFromError', 'componentDidCatch', 'contextType', 'defaultProps', 'debounceRendering',
      'componentDidMount', 'componentDidUpdate', 'componentWillUnmount', 'forceUpdate',
      'upsert', 'patch', 'focusLauncher', 'autoSignInUsed', 'usedToken', 'onDelta', 'onStart', 'widgetConfig',
      'canRefresh', 'onIdentified', 'onRefreshFailed', 'inputRef', 'streaming', 'subscribe', 'dispose', 'items',
      'kind', 'ordered', 'store', 'actions', 'expectedOrigin', 'targetWindow', 'transaction', 'urlWithState',
      // The popup flow's plumbing, shared with dist/chat-widget-signin.js through one mangle cache.
      'begin', 'relayUrl', 'timeoutMs', 'early', 'onCleanup', 'runTransaction', 'cancelSignIn', 'onAnnounced', 'onToken', 'onRegistered',
    ].join('|') +
    ')$',
);
const widgetBuild = await out({
  ...browser,
  target: widgetTarget,
  mangleProps: widgetInternalProps,
  // Returned filled in, for the second file's build.
  mangleCache: {},
  plugins: [lazySignInFlow],
  // h() with varargs children is smaller than the automatic runtime's jsx() calls.
  jsx: 'transform',
  jsxFactory: 'h',
  jsxFragment: 'Fragment',
  inject: ['src/widget/ui/jsx-classic.ts'],
  entryPoints: ['src/widget/global.ts'],
  format: 'iife',
  outfile: 'dist/chat-widget.js',
});
await compact('dist/chat-widget.js');
// The popup flow of the script-tag widget, loaded on first need; same property renames as the widget.
await out({
  ...browser,
  target: widgetTarget,
  mangleProps: widgetInternalProps,
  mangleCache: widgetBuild.mangleCache,
  plugins: [lazySignInFlow],
  entryPoints: ['src/widget/signin/chunk.ts'],
  format: 'iife',
  outfile: 'dist/chat-widget-signin.js',
});
await compact('dist/chat-widget-signin.js');
// ESM for bundlers: dependencies stay as imports so the app's bundler dedupes preact.
await out({
  ...browser,
  minify: false,
  target: widgetTarget,
  entryPoints: ['src/widget/index.ts'],
  format: 'esm',
  outfile: 'dist/index.js',
  external: ['preact', 'preact/*', 'nanoevents', 'eventsource-parser'],
});
// Sign-in page helper: npm subpath and a standalone script for customers' sign-in pages.
await out({ ...browser, minify: false, entryPoints: ['src/signin/index.ts'], format: 'esm', outfile: 'dist/signin.js' });
await out({ ...browser, entryPoints: ['src/signin/standalone.ts'], format: 'iife', outfile: 'dist/quincer-signin.js' });
await compact('dist/quincer-signin.js');
// The config page served at GET /admin.
await out({ ...browser, entryPoints: ['src/admin/main.tsx'], format: 'iife', outfile: 'dist/admin.js' });
// Server: verifier subpath, backend entry, CLI.
await out({ ...node, entryPoints: ['src/server/index.ts', 'src/server/main.ts'], outdir: 'dist/server' });
await out({
  ...node,
  entryPoints: ['src/server/cli.ts'],
  outfile: 'dist/server/cli.js',
  banner: { js: '#!/usr/bin/env node' },
});

// Type declarations for the three public entry points.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
writeFileSync('dist/index.d.ts', "export * from './types/widget/index.js';\n");
writeFileSync('dist/signin.d.ts', "export * from './types/signin/index.js';\n");
mkdirSync('dist/server', { recursive: true });
writeFileSync('dist/server/index.d.ts', "export * from '../types/server/index.js';\n");

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
for (const file of ['dist/chat-widget.js', 'dist/chat-widget-signin.js', 'dist/index.js', 'dist/quincer-signin.js', 'dist/admin.js']) {
  const bytes = readFileSync(file);
  console.log(
    `${file.padEnd(29)} raw ${kb(bytes.length).padStart(10)}  gzip ${kb(gzipSync(bytes, { level: 9 }).length).padStart(9)}  brotli ${kb(brotliCompressSync(bytes).length).padStart(9)}`,
  );
}
