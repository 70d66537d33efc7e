// Small shared pieces of the demo's two web sites: listening, static files, headers.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';

export const DEMO_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../packages/chat-widget/dist/', import.meta.url));

/** Listens on host:port (0 = a free port) and resolves once the socket is bound. */
export function listen(app, { host, port }) {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Browsers keep connections alive; do not wait for them to idle out.
            server.closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * Serves one file, read on every request so a rebuild of dist/ shows up on reload.
 * `replacements` fills {{NAME}} placeholders with HTML-escaped values.
 */
export async function fileResponse(c, path, replacements = {}) {
  let body;
  try {
    body = await readFile(path, 'utf8');
  } catch {
    return c.text(`Not found: ${path.slice(path.lastIndexOf('/') + 1)}. Run "npm run build" first.`, 404);
  }
  for (const [name, value] of Object.entries(replacements)) body = body.replaceAll(`{{${name}}}`, escapeHtml(value));
  const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
  return c.body(body, 200, { 'content-type': type, 'cache-control': 'no-store' });
}

export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A strict Content-Security-Policy: no inline script or style, no eval. */
export function cspHeader(directives) {
  return Object.entries({
    'default-src': "'self'",
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': "'self' data:",
    'base-uri': "'none'",
    'object-src': "'none'",
    ...directives,
  })
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** Reads a JSON body, or null when it is not JSON. */
export async function jsonBody(c) {
  try {
    return await c.req.json();
  } catch {
    return null;
  }
}

/**
 * Refuses POSTs sent by pages of other origins (browsers always send Origin on those):
 * the demo's endpoints mint tokens and change the backend's config, so another tab must
 * not be able to call them. Tools without an Origin header (curl) are let through.
 */
export function sameOriginPosts(ownOrigin) {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'POST' && origin !== undefined && origin !== ownOrigin()) {
      return c.json({ error: { code: 'cross-origin', message: 'This demo endpoint only answers its own pages.' } }, 403);
    }
    await next();
  };
}
