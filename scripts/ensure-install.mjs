// `npm test` and `npm run demo` must work on a fresh clone: install the locked dependencies first when
// node_modules is missing or older than package-lock.json. Plain Node, no dependencies of its own.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('--- installing the locked dependencies (npm install)');
  // Not `npm ci`: see .ci/run. `npm install` with the committed lockfile installs the locked versions.
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(command, [...args, 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
