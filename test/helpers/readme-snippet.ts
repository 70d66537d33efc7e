import { readFileSync } from 'node:fs';

/**
 * The canonical pre-load snippet is the README's, between `<!-- snippet:start -->`
 * and `<!-- snippet:end -->`; tests run exactly what customers copy.
 */
export function readmeSnippetScript(): string {
  const readme = readFileSync('README.md', 'utf8'); // tests run from the repository root
  const block = /<!-- snippet:start -->([\s\S]*?)<!-- snippet:end -->/.exec(readme)?.[1];
  const script = block && /<script>([\s\S]*?)<\/script>/.exec(block)?.[1];
  if (!script) throw new Error('README.md has no <!-- snippet:start --> block with an inline <script>.');
  return script;
}
