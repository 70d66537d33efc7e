/**
 * GET /admin: the Visitor sign-in config page (SPEC §4.5). A static HTML shell
 * plus the page's bundle and stylesheet from dist/. The shell carries no data:
 * the page reads and writes the config through the admin API with the admin
 * token the person types in, so nothing secret ever reaches this HTML.
 */
import type { Context, Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_PAGE_PATH = '/admin';
export const ADMIN_SCRIPT_PATH = '/admin/app.js';
export const ADMIN_STYLE_PATH = '/admin/app.css';

/** No inline script or style anywhere, no framing, no foreign connections. */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Visitor sign-in · Quincer</title>
<link rel="stylesheet" href="${ADMIN_STYLE_PATH}">
<script src="${ADMIN_SCRIPT_PATH}" defer></script>
</head>
<body>
<div id="app"><noscript>The Visitor sign-in config page needs JavaScript.</noscript></div>
</body>
</html>
`;

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface AdminPageOptions {
  /** Folder with the built bundles: admin.js and admin.css (`npm run build`). */
  distDir: string;
}

export function mountAdminPage(app: Hono, options: AdminPageOptions): void {
  if (typeof options?.distDir !== 'string' || options.distDir === '') {
    throw new TypeError('mountAdminPage: options.distDir must name the folder holding admin.js (the backend package dist folder).');
  }
  const { distDir } = options;

  const page = (c: Context) =>
    c.body(SHELL, 200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': ADMIN_PAGE_CSP,
      'X-Frame-Options': 'DENY',
    });
  app.get(ADMIN_PAGE_PATH, page);
  app.get(`${ADMIN_PAGE_PATH}/`, page);

  app.get(ADMIN_SCRIPT_PATH, (c) => serveBuilt(c, join(distDir, 'admin.js'), 'text/javascript; charset=utf-8'));
  app.get(ADMIN_STYLE_PATH, (c) => serveBuilt(c, join(distDir, 'admin.css'), 'text/css; charset=utf-8'));
}

// Read on each request: the files are small, and a rebuild shows up without a restart.
async function serveBuilt(c: Context, file: string, contentType: string): Promise<Response> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return c.json(
      { error: { code: 'not-found', message: 'The config page is not built; run `npm run build` and reload.' } },
      404,
      { ...COMMON_HEADERS },
    );
  }
  return c.body(new Uint8Array(body), 200, { ...COMMON_HEADERS, 'Content-Type': contentType });
}
