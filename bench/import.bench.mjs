// Import time of each package entry in a fresh Node process, against jose alone (the verifier's one
// big dependency) measured in the same run, interleaved. Runs against the BUILT packages/*/dist.
// Budget: the verifier entry costs little more than jose itself (it loads no HTTP framework,
// database or logger); the backend's figure is shown for scale.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';

const RUNS = 21;
const cases = [
  { name: 'jose (baseline)', code: "await import('jose')" },
  { name: '@quincer/visitor-verifier', code: "await import('@quincer/visitor-verifier')" },
  { name: '@quincer/chat-widget', code: "await import('@quincer/chat-widget')" },
  { name: '@quincer/chat-backend', code: "await import('@quincer/chat-backend')" },
];

const times = cases.map(() => []);
for (let run = 0; run < RUNS; run++) {
  cases.forEach(({ code }, i) => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const t = performance.now(); ${code}; console.log(performance.now() - t);`],
      { encoding: 'utf8' },
    );
    times[i].push(Number(out));
  });
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const base = median(times[0]);
const rows = cases.map(({ name }, i) => ({ name, median: median(times[i]), ratio: median(times[i]) / base }));

const table = [
  '| entry | import, median of ' + RUNS + ' fresh processes | × jose |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.median.toFixed(1)} ms | ${r.ratio.toFixed(2)}× |`),
].join('\n');
console.log(table);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/import.md', import.meta.url),
  `# Import time\n\nMeasured ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version} ` +
    `(\`node bench/run.mjs import\`): \`await import(entry)\` in a fresh process, timed inside it, ${RUNS} runs interleaved.\n\n${table}\n`,
);
