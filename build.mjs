// Builds the three packages from src/: one shared options object per platform, one call per output;
// prints raw/gzip/brotli sizes of the browser files.
//
//   packages/chat-widget/dist       src/widget, src/signin (+ src/protocol)   browser SDK, script-tag files
//   packages/visitor-verifier/dist  src/verifier (+ src/protocol)             verifier module, quincer-verify
//   packages/chat-backend/dist      src/backend, src/admin (+ src/protocol)   reference backend, config page
//
// src/protocol is bundled into each package that uses it (it is types and small constants, not a package
// of its own). The backend imports the verifier by its package name, so an install of the two packages
// behaves exactly as it would from the registry.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { minify } from 'terser';

const WIDGET = 'packages/chat-widget/dist';
const VERIFIER = 'packages/visitor-verifier/dist';
const BACKEND = 'packages/chat-backend/dist';
const TYPES_TMP = 'dist/.types';

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
  plugins: [noServerCode()],
};

const node = {
  ...watchless,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  plugins: [verifierByPackageName()],
};

/** The same module as CommonJS, for `require()` from CommonJS code that type-checks with `module: node16`. */
const asCommonJs = (options, outfile) => ({
  ...options,
  format: 'cjs',
  outfile,
  outdir: undefined,
  // import.meta.url is the only ESM-only construct the server code uses (to find its built files).
  define: { ...options.define, 'import.meta.url': '__quincerModuleUrl' },
  banner: { js: `${options.banner?.js ?? ''}\nconst __quincerModuleUrl = require('node:url').pathToFileURL(__filename).href;`.trimStart() },
});

// The script-tag widget loads its popup flow on first need (chat-widget-signin.js): in that build
// load-flow.ts, a static import, is swapped for load-flow-script.ts, which loads the second file, and
// popup-options.ts for popup-options-script.ts (the widget's own options already checked the values).
const lazySignInFlow = {
  name: 'lazy-sign-in-flow',
  setup(b) {
    b.onResolve({ filter: /\/(load-flow|popup-options)\.js$/ }, (args) =>
      args.importer.includes(`src${sep}widget${sep}`)
        ? { path: resolve(`src/widget/signin/${args.path.slice(args.path.lastIndexOf('/') + 1, -3)}-script.ts`) }
        : undefined,
    );
  },
};

/** A browser bundle must never pull in server code: fail the build instead. */
function noServerCode() {
  return {
    name: 'no-server-code',
    setup(b) {
      b.onResolve({ filter: /^(node:|better-sqlite3|pino|hono|@hono\/|jose)|\/(backend|verifier)\// }, (args) => ({
        errors: [{ text: `browser code must not import ${args.path} (from ${args.importer})` }],
      }));
    },
  };
}

/** Backend code imports the verifier from src/verifier/index.ts; the built backend imports the package instead. */
function verifierByPackageName() {
  const verifierDir = resolve('src/verifier') + sep;
  return {
    name: 'verifier-by-package-name',
    setup(b) {
      b.onResolve({ filter: /verifier\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = resolve(args.resolveDir, args.path);
        if (!target.startsWith(verifierDir) || args.importer.startsWith(verifierDir)) return undefined;
        if (relative(verifierDir, target) !== 'index.js') {
          return { errors: [{ text: `backend code may import only the verifier's public entry, not ${args.path}` }] };
        }
        return { path: '@quincer/visitor-verifier', external: true };
      });
    },
  };
}

for (const dir of ['dist', WIDGET, VERIFIER, BACKEND]) rmSync(dir, { recursive: true, force: true });
for (const dir of [WIDGET, VERIFIER, BACKEND]) mkdirSync(join(dir, 'cjs'), { recursive: true });

// A terser pass after esbuild for the scripts customers load by tag: its multi-pass compressor saves
// ~3% gzip over esbuild's single pass (the widget's budget is 16 KB gzip). Mangling of top-level
// names stays off: the IIFE's only global is assigned explicitly.
async function compact(file) {
  const result = await minify(readFileSync(file, 'utf8'), {
    ecma: 2020,
    compress: { passes: 3 },
    mangle: true,
    // ASCII only: the script must read the same on a host page whose charset is not UTF-8.
    format: { comments: false, ascii_only: true },
  });
  writeFileSync(file, result.code);
}

// ---- @quincer/chat-widget -------------------------------------------------------------------------
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
      // The popup flow's plumbing, shared with chat-widget-signin.js through one mangle cache.
      'begin', 'relayUrl', 'timeoutMs', 'early', 'onCleanup', 'runTransaction', 'cancelSignIn', 'onAnnounced', 'onToken',
      'onRegistered', 'bearer',
    ].join('|') +
    ')$',
);
const widgetBuild = await build({
  ...browser,
  target: widgetTarget,
  mangleProps: widgetInternalProps,
  // Returned filled in, for the popup flow's build below.
  mangleCache: {},
  plugins: [...browser.plugins, lazySignInFlow],
  // h() with varargs children is smaller than the automatic runtime's jsx() calls.
  jsx: 'transform',
  jsxFactory: 'h',
  jsxFragment: 'Fragment',
  inject: ['src/widget/ui/jsx-classic.ts'],
  entryPoints: ['src/widget/global.ts'],
  format: 'iife',
  outfile: `${WIDGET}/chat-widget.js`,
});
await compact(`${WIDGET}/chat-widget.js`);
// The script-tag widget's popup flow, loaded on first need from beside chat-widget.js; same property renames.
await build({
  ...browser,
  target: widgetTarget,
  mangleProps: widgetInternalProps,
  mangleCache: widgetBuild.mangleCache,
  plugins: [...browser.plugins, lazySignInFlow],
  entryPoints: ['src/widget/signin/chunk.ts'],
  format: 'iife',
  outfile: `${WIDGET}/chat-widget-signin.js`,
});
await compact(`${WIDGET}/chat-widget-signin.js`);
// ESM (and CommonJS) for bundlers and server-side rendering: dependencies stay as imports so the app's
// bundler dedupes preact.
const widgetModule = {
  ...browser,
  minify: false,
  target: widgetTarget,
  external: ['preact', 'preact/*', 'nanoevents'],
};
for (const [entry, name] of [['src/widget/index.ts', 'index'], ['src/signin/index.ts', 'signin']]) {
  await build({ ...widgetModule, entryPoints: [entry], format: 'esm', outfile: `${WIDGET}/${name}.js` });
  await build({ ...widgetModule, entryPoints: [entry], format: 'cjs', outfile: `${WIDGET}/cjs/${name}.js` });
}
// Sign-in page helper as a standalone script for customers' sign-in pages.
await build({ ...browser, entryPoints: ['src/signin/standalone.ts'], format: 'iife', outfile: `${WIDGET}/quincer-signin.js` });
await compact(`${WIDGET}/quincer-signin.js`);

// ---- @quincer/visitor-verifier --------------------------------------------------------------------
// Split, so the fetch path (node:http(s), ipaddr.js) that key-store.ts imports on first need is its own chunk
// and loads on the first key-set fetch, not with the package. (The CommonJS build defers it the same way.)
await build({ ...node, entryPoints: { index: 'src/verifier/index.ts' }, outdir: VERIFIER, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
await build(asCommonJs({ ...node, entryPoints: ['src/verifier/index.ts'] }, `${VERIFIER}/cjs/index.js`));
await build({ ...node, entryPoints: ['src/verifier/cli.ts'], outfile: `${VERIFIER}/cli.js`, banner: { js: '#!/usr/bin/env node' } });

// ---- @quincer/chat-backend ------------------------------------------------------------------------
// The config page served at GET /admin, and its stylesheet.
await build({ ...browser, entryPoints: ['src/admin/main.tsx'], format: 'iife', outfile: `${BACKEND}/admin.js` });
await build({ ...node, entryPoints: ['src/backend/index.ts'], outfile: `${BACKEND}/index.js` });
await build(asCommonJs({ ...node, entryPoints: ['src/backend/index.ts'] }, `${BACKEND}/cjs/index.js`));
await build({ ...node, entryPoints: ['src/backend/main.ts'], outfile: `${BACKEND}/main.js`, banner: { js: '#!/usr/bin/env node' } });

// ---- Type declarations ----------------------------------------------------------------------------
// One tsc run over the public entries; each package gets the declarations of its own folders plus the
// protocol's. The CommonJS copies sit under dist/cjs/, whose package.json says "commonjs", so
// TypeScript reads them as CommonJS declarations.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const packageTypes = [
  { dist: WIDGET, folders: ['widget', 'signin', 'protocol'], entries: { index: 'widget/index.js', signin: 'signin/index.js' } },
  { dist: VERIFIER, folders: ['verifier', 'protocol'], entries: { index: 'verifier/index.js' } },
  { dist: BACKEND, folders: ['backend', 'protocol'], entries: { index: 'backend/index.js' } },
];
for (const { dist, folders, entries } of packageTypes) {
  for (const root of [dist, join(dist, 'cjs')]) {
    for (const folder of folders) cpSync(join(TYPES_TMP, folder), join(root, 'types', folder), { recursive: true });
    for (const [name, target] of Object.entries(entries)) writeFileSync(join(root, `${name}.d.ts`), `export * from './types/${target}';\n`);
  }
  writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
}
// The backend's declarations name the verifier's types by package, as its code does.
for (const file of walk(BACKEND)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/(['"])(\.\.\/)+verifier\/index\.js\1/g, "'@quincer/visitor-verifier'");
  if (rewritten !== text) writeFileSync(file, rewritten);
}
rmSync('dist', { recursive: true, force: true });

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
for (const file of [`${WIDGET}/chat-widget.js`, `${WIDGET}/chat-widget-signin.js`, `${WIDGET}/index.js`, `${WIDGET}/quincer-signin.js`, `${BACKEND}/admin.js`]) {
  const bytes = readFileSync(file);
  console.log(
    `${file.padEnd(44)} raw ${kb(bytes.length).padStart(10)}  gzip ${kb(gzipSync(bytes, { level: 9 }).length).padStart(9)}  brotli ${kb(brotliCompressSync(bytes).length).padStart(9)}`,
  );
}
