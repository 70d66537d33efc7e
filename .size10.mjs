import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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




const outputs = [];
async function out(options) {
  await build(options);
  outputs.push(options.outfile ?? options.outdir);
}

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
    ].join('|') +
    ')$',
);
await out({
  ...browser,
  target: widgetTarget,
  mangleProps: widgetInternalProps,
  // h() with varargs children is smaller than the automatic runtime's jsx() calls.
  jsx: 'transform',
  jsxFactory: 'h',
  jsxFragment: 'Fragment',
  inject: ['src/widget/ui/jsx-classic.ts'],
  entryPoints: ['src/widget/global.ts'],
  format: 'iife',
  outfile: '/tmp/cw10.js',
});
await compact('/tmp/cw10.js');
console.log('gzip', gzipSync(readFileSync('/tmp/cw10.js'), {level:9}).length);
