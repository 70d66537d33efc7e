// `npm run pack`: one tarball per package into dist/packages/, with each one's size and dependencies.
// The install test (test/install/) packs the same way into a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGES = ['visitor-verifier', 'chat-widget', 'chat-backend'];

/** Packs every package into `destination`; returns what was written, in PACKAGES order. */
export function packAll(destination) {
  mkdirSync(destination, { recursive: true });
  return PACKAGES.map((folder) => {
    const dir = resolve('packages', folder);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const [info] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(destination)], { cwd: dir, encoding: 'utf8' }),
    );
    const tarball = join(resolve(destination), info.filename);
    return {
      name: manifest.name,
      version: manifest.version,
      tarball,
      bytes: statSync(tarball).size,
      unpackedBytes: info.unpackedSize,
      files: info.entryCount,
      dependencies: Object.keys(manifest.dependencies ?? {}),
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const p of packAll('dist/packages')) {
    console.log(
      `${`${p.name}@${p.version}`.padEnd(34)} ${kb(p.bytes).padStart(9)} packed  ${kb(p.unpackedBytes).padStart(9)} unpacked  ` +
        `${String(p.files).padStart(3)} files  ${p.dependencies.length} dependencies (${p.dependencies.join(', ')})`,
    );
    console.log(`  ${p.tarball}`);
  }
}
