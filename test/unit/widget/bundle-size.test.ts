import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** The script-tag budget (issue 2): the smallest embeddable chat widget measured here is 43 KB gzip. */
const BUDGET_GZIP_BYTES = 16 * 1024;
const BROWSER_BUNDLES = ['packages/chat-widget/dist/chat-widget.js', 'packages/chat-widget/dist/index.js'];
/** Server code that must never bleed into a browser bundle. */
const SERVER_MARKERS = [/["']node:/, /better-sqlite3/, /\bpino\b/, /\bhono\b/i, /createVisitorVerifier/, /jwtVerify|createRemoteJWKSet/, /\bjose\b/];

function read(file: string): Buffer {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  return readFileSync(file);
}

describe('browser bundles', () => {
  it(`packages/chat-widget/dist/chat-widget.js is at most ${BUDGET_GZIP_BYTES / 1024} KB gzip`, () => {
    const gzip = gzipSync(read('packages/chat-widget/dist/chat-widget.js'), { level: 9 }).length;
    expect(gzip, `${(gzip / 1024).toFixed(2)} KB gzip`).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  for (const file of BROWSER_BUNDLES) {
    it(`${file} contains no server code`, () => {
      const text = read(file).toString('utf8');
      for (const marker of SERVER_MARKERS) expect(text, String(marker)).not.toMatch(marker);
    });
  }

  it('packages/chat-widget/dist/chat-widget.js defines window.ChatWidget and uses no eval-like code (strict CSP)', () => {
    const text = read('packages/chat-widget/dist/chat-widget.js').toString('utf8');
    expect(text).toContain('ChatWidget');
    expect(text).not.toMatch(/\beval\(|new Function\(/);
  });
});
