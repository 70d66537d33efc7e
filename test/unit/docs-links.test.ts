// @vitest-environment node
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative Markdown link and #anchor in README.md, docs/*.md and
 * packages/*\/README.md must point at an existing file and, for a Markdown
 * target, at an existing heading (GitHub's slugs). External links are not
 * checked: tests never reach the internet.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function documentedFiles(): string[] {
  const files = ['README.md'];
  for (const name of readdirSync(join(root, 'docs')).sort()) {
    if (name.endsWith('.md')) files.push(`docs/${name}`);
  }
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', name, 'README.md'))) files.push(`packages/${name}/README.md`);
  }
  return files;
}

/** The text with fenced code blocks blanked (line count kept) so their `#` lines and `[x](y)` are ignored. */
function withoutFences(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) {
      fence = marker[0]!.repeat(marker.length);
      return '';
    }
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      return '';
    }
    return line;
  });
}

/** GitHub's heading slug (github-slugger): lower case, punctuation and symbols removed except `-` and `_`, each space a hyphen. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading contributes its text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown file offers: heading slugs (duplicates get -1, -2, …) and explicit `<a id|name>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

/** Link targets outside code: inline `[text](target)`, images, and reference definitions `[x]: target`. */
export function linksOf(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  withoutFences(markdown).forEach((raw, index) => {
    const line = raw.replace(/(`+)[\s\S]*?\1/g, ''); // inline code spans
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: index + 1, target: match[1]! });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
    if (definition) links.push({ line: index + 1, target: definition[1]! });
  });
  return links;
}

/** Problems with one file's relative links, as `file:line target: why` strings. */
export function brokenLinks(file: string, read: (path: string) => string | null): string[] {
  const text = read(file);
  if (text === null) return [`${file}: file not found`];
  const problems: string[] = [];
  for (const { line, target } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:, …
    const hashAt = target.indexOf('#');
    const pathPart = decodeURIComponent(hashAt === -1 ? target : target.slice(0, hashAt));
    const anchor = hashAt === -1 ? null : decodeURIComponent(target.slice(hashAt + 1));
    const where = `${file}:${line} ${target}`;
    if (pathPart.startsWith('/')) {
      problems.push(`${where}: use a relative path, not one from the site root`);
      continue;
    }
    const targetFile = pathPart === '' ? file : join(dirname(file), pathPart).replace(/\\/g, '/');
    if (targetFile === '..' || targetFile.startsWith('../')) {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    const targetText = read(targetFile);
    if (targetText === null) {
      problems.push(`${where}: no such file (${targetFile})`);
      continue;
    }
    if (anchor !== null && anchor !== '' && targetFile.endsWith('.md') && !anchorsOf(targetText).has(anchor)) {
      problems.push(`${where}: ${targetFile} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

function readFromRepository(path: string): string | null {
  const absolute = join(root, path);
  if (!existsSync(absolute)) return null;
  return statSync(absolute).isDirectory() ? '' : readFileSync(absolute, 'utf8');
}

describe('documentation links', () => {
  it('GitHub slugs: lower case, punctuation dropped except hyphens and underscores, spaces become hyphens', () => {
    expect(githubSlug('CORS')).toBe('cors');
    expect(githubSlug('`createVisitorVerifier(config, deps?)`')).toBe('createvisitorverifierconfig-deps');
    expect(githubSlug('Deps (`VerifierDeps`) — all optional')).toBe('deps-verifierdeps--all-optional');
    expect(githubSlug('The command line: `quincer-verify`')).toBe('the-command-line-quincer-verify');
    expect(githubSlug('`GET /v1/admin/visitor-sign-in`')).toBe('get-v1adminvisitor-sign-in');
    expect(githubSlug('Cross-Origin-Opener-Policy (COOP)')).toBe('cross-origin-opener-policy-coop');
    expect(githubSlug('snake_case stays')).toBe('snake_case-stays');
    expect([...anchorsOf('# A\n## Tools\n```sh\n# not a heading\n```\n### Tools\n')]).toEqual(['a', 'tools', 'tools-1']);
  });

  it('the checker reports a missing file, a missing anchor and a root-relative path, and accepts good links', () => {
    const files: Record<string, string> = {
      'docs/a.md': [
        '# A',
        '## Good part',
        'See [b](b.md#heading-two), [here](#good-part), [the readme](../README.md) and [web](https://example.com/x.md).',
        'Broken: [gone](missing.md), [no anchor](b.md#nope), [own](#absent), [root](/docs/b.md).',
        '`[not a link](nowhere.md)` in code.',
        '```md',
        '[also not a link](nowhere.md)',
        '```',
        '[ref]: b.md#heading-two',
      ].join('\n'),
      'docs/b.md': '# B\n\n## Heading two\n',
      'README.md': '# R\n',
    };
    const problems = brokenLinks('docs/a.md', (path) => files[path] ?? null);
    expect(problems).toEqual([
      'docs/a.md:4 missing.md: no such file (docs/missing.md)',
      'docs/a.md:4 b.md#nope: docs/b.md has no heading with the anchor #nope',
      'docs/a.md:4 #absent: docs/a.md has no heading with the anchor #absent',
      'docs/a.md:4 /docs/b.md: use a relative path, not one from the site root',
    ]);
  });

  const files = documentedFiles();

  it('covers the README, every docs/*.md and every package README', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/wire-protocol.md');
    for (const name of ['chat-widget', 'visitor-verifier', 'chat-backend']) {
      expect(files).toContain(`packages/${name}/README.md`);
    }
  });

  it.each(files)('%s: every relative link and #anchor resolves', (file) => {
    expect(brokenLinks(file, readFromRepository)).toEqual([]);
  });

  it('users import from package names only: no src/ path, no removed ./server subpath', () => {
    const offending = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ line, where: `${file}:${index + 1}` }))
        .filter(({ line }) => /\bfrom\s+['"][^'"]*\bsrc\/|import\(\s*['"][^'"]*\bsrc\/|@quincer\/chat-widget\/server/.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });

  it('docs/embedding.md carries the README pre-load snippet byte for byte', () => {
    const block = (path: string) =>
      /<!-- snippet:start -->[\s\S]*?<!-- snippet:end -->/.exec(readFileSync(join(root, path), 'utf8'))?.[0];
    const readme = block('README.md');
    expect(readme).toBeDefined();
    expect(block('docs/embedding.md')).toBe(readme);
  });
});
