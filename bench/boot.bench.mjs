// Boot time of the script-tag widget: navigation start → launcher in the DOM, in headless
// Chromium, median of RUNS fresh-browser runs, against a minimal preact launcher page (preact +
// hooks + nanoevents, a launcher button in a shadow root) built with esbuild and measured in the
// same run, interleaved. Budget: ≤ 1.2× the baseline. Runs against the BUILT dist/chat-widget.js.
//
// Plain Node cannot import test/helpers/browser.ts, so the launch below mirrors launchBrowser():
// same executable (CHROMIUM_PATH or Debian's /usr/bin/chromium) and the same flags.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';

const RUNS = 21;
const BUDGET = 1.2;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

const BASELINE_SOURCE = `
import { render, h } from 'preact';
import { useState } from 'preact/hooks';
import { createNanoEvents } from 'nanoevents';
const events = createNanoEvents();
function Launcher() {
  const [open, setOpen] = useState(false);
  return h('button', { class: 'launcher', 'aria-expanded': open, onClick: () => { setOpen(!open); events.emit(open ? 'close' : 'open'); } }, 'Chat');
}
const host = document.createElement('div');
const root = host.attachShadow({ mode: 'open' });
const sheet = new CSSStyleSheet();
sheet.replaceSync('.launcher{position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%}');
root.adoptedStyleSheets = [sheet];
document.body.appendChild(host);
render(h(Launcher), root);
window.Baseline = { on: events.on.bind(events) };
`;

// Records the first moment a .launcher exists in any shadow root, relative to navigation start.
const PROBE = `
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    const observer = new MutationObserver(() => {
      if (root.querySelector('.launcher')) { window.__launcherAt = performance.now(); observer.disconnect(); }
    });
    observer.observe(root, { childList: true, subtree: true });
    return root;
  };
})();
`;

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${body}</head><body><main><h1>Shop</h1></main></body></html>`;
}

async function main() {
  if (!existsSync('packages/chat-widget/dist/chat-widget.js')) throw new Error('packages/chat-widget/dist/chat-widget.js is missing: run npm run build first.');
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  const widget = readFileSync('packages/chat-widget/dist/chat-widget.js');
  const baseline = (
    await build({
      stdin: { contents: BASELINE_SOURCE, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      minify: true,
      format: 'iife',
      write: false,
      target: ['chrome100', 'firefox100', 'safari15'],
      legalComments: 'none',
    })
  ).outputFiles[0].contents;
  const snippet = /<script>([\s\S]*?)<\/script>/.exec(
    /<!-- snippet:start -->([\s\S]*?)<!-- snippet:end -->/.exec(readFileSync('README.md', 'utf8'))[1],
  )[1];

  const server = createServer((req, res) => {
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
      res.end(body);
    };
    if (req.url === '/chat-widget.js') return send('text/javascript', widget);
    if (req.url === '/baseline.js') return send('text/javascript', baseline);
    if (req.url === '/v1/widget-config') return send('application/json', '{"signInUrl":null}');
    if (req.url === '/widget.html') {
      return send('text/html', page('Widget', `<script>${snippet}</script><script>ChatWidget.init({ apiUrl: location.origin });</script><script async src="/chat-widget.js"></script>`));
    }
    if (req.url === '/blank.html') return send('text/html', page('Blank', ''));
    if (req.url === '/baseline.html') return send('text/html', page('Baseline', '<script async src="/baseline.js"></script>'));
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  async function once(path) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const context = await browser.newContext();
      await context.addInitScript(PROBE);
      const tab = await context.newPage();
      // The browser is fresh; its first renderer start-up is not part of the page's boot.
      await tab.goto(origin + '/blank.html');
      await tab.goto(origin + path);
      await tab.waitForFunction(() => typeof window.__launcherAt === 'number');
      const [at, scriptEnd] = await tab.evaluate(() => [
        window.__launcherAt,
        performance.getEntriesByType('resource').find((e) => /\/(chat-widget|baseline)\.js$/.test(e.name))?.responseEnd ?? NaN,
      ]);
      execution[path.slice(1, -5)].push(at - scriptEnd);
      return at;
    } finally {
      await browser.close();
    }
  }

  const times = { widget: [], baseline: [] };
  /** Launcher time minus the bundle's responseEnd: parse, execute and first render. */
  const execution = { widget: [], baseline: [] };
  await once('/widget.html'); // warm the OS file cache for Chromium itself
  for (let i = 0; i < RUNS; i++) {
    times.baseline.push(await once('/baseline.html'));
    times.widget.push(await once('/widget.html'));
  }
  server.close();

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const gz = (bytes) => (gzipSync(bytes, { level: 9 }).length / 1024).toFixed(2);
  const rows = [
    { page: 'minimal preact launcher (baseline)', gzip: gz(baseline), median: median(times.baseline), min: Math.min(...times.baseline), max: Math.max(...times.baseline) },
    { page: 'packages/chat-widget/dist/chat-widget.js via the snippet', gzip: gz(widget), median: median(times.widget), min: Math.min(...times.widget), max: Math.max(...times.widget) },
  ];
  const ratio = rows[1].median / rows[0].median;
  rows[0].execution = median(execution.baseline);
  rows[1].execution = median(execution.widget);
  const ok = ratio <= BUDGET;
  const table = [
    '| page | bundle gzip (KB) | median (ms) | min (ms) | max (ms) | median bundle loaded → launcher (ms) | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r, i) => `| ${r.page} | ${r.gzip} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${r.execution.toFixed(1)} | ${i === 0 ? '1.00×' : `${ratio.toFixed(2)}×`} |`),
  ].join('\n');
  console.log(table);
  console.log(`\nboot ratio ${ratio.toFixed(2)}× (budget ≤ ${BUDGET}×): ${ok ? 'OK' : 'OVER BUDGET'}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/boot.md',
    `# Boot: navigation start → launcher in the DOM\n\n` +
      `Date: ${new Date().toISOString()}  \n` +
      `Headless Chromium (${CHROMIUM}), ${RUNS} fresh-browser runs per page, interleaved, pages and bundles served from 127.0.0.1 ` +
      `with \`<script async>\`. Time is \`performance.now()\` (from navigation start) when a \`.launcher\` first appears in a shadow root. ` +
      `Machine load average at the end of the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (shared machine: single runs vary a lot; the medians and the ` +
      `"bundle loaded → launcher" column, which leaves out network and browser start-up, are the figures to read).\n\n` +
      `${table}\n\n**Ratio ${ratio.toFixed(2)}×** (budget ≤ ${BUDGET}×): ${ok ? 'within budget' : 'over budget'}.\n`,
  );
  if (!ok) process.exitCode = 1;
}

await main();
