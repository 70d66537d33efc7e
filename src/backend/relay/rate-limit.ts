import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { apiError } from '../http/errors.js';

/** Requests per client address per minute to all relay endpoints together. */
export const DEFAULT_RELAY_RATE_LIMIT = 60;
const WINDOW_MS = 60_000;

/**
 * The relay's rate limit (hono-rate-limiter, memory store), keyed by the
 * client's address. 429 answers carry Retry-After and ApiErrorBody code
 * `rate-limited`.
 */
export function relayRateLimit(limit: number): MiddlewareHandler {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TypeError('relayRateLimit must be a whole number of requests per minute, at least 1.');
  }
  return rateLimiter({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => clientAddress(c),
    handler: (c) =>
      apiError(c, 429, 'rate-limited', 'Too many sign-in relay requests from this address; wait for the time in Retry-After, then try again.'),
  });
}

function clientAddress(c: Parameters<MiddlewareHandler>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (app.fetch called directly): one shared bucket.
    return 'unknown';
  }
}
