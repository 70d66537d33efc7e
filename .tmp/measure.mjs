import { build } from 'esbuild';
const lazy = { name: 'l', setup(b) { b.onResolve({ filter: /\/load-flow\.js$/ }, (a) => a.importer.includes('src/widget/') ? { path: new URL('../src/widget/signin/load-flow-script.ts', import.meta.url).pathname } : undefined); } };
const r = await build({ entryPoints: ['src/widget/global.ts'], bundle: true, minify: true, format: 'iife', write: false, target: ['chrome100','firefox100','safari15'], jsx: 'transform', jsxFactory: 'h', jsxFragment: 'Fragment', inject: ['src/widget/ui/jsx-classic.ts'], metafile: true, plugins: process.argv[2] ? [] : [lazy], define: { 'process.env.NODE_ENV': '"production"' } });
const out = Object.values(r.metafile.outputs)[0];
const rows = Object.entries(out.inputs).map(([k, v]) => [k, v.bytesInOutput]).sort((a, b) => b[1] - a[1]);
for (const [k, v] of rows) if (k.includes('signin') || k.includes('protocol')) console.log(String(v).padStart(6), k);
