import type { Context, MiddlewareHandler } from 'hono';
import { MemoryStore, rateLimiter, type RateLimitInfo } from 'hono-rate-limiter';
import { RATE_LIMITED_CODE } from '../../protocol/chat.js';
import { apiError } from '../http/errors.js';
import type { RateLimitSetting } from './config.js';

export interface RateLimit {
  readonly middleware: MiddlewareHandler;
  /** Stops the window timer and forgets every count. */
  close(): void;
}

/**
 * A per-client rate limit (hono-rate-limiter, fixed window, counts in memory):
 * at most `setting.limit` requests per client in each `setting.windowMs`.
 * Over it: 429 with `Retry-After` (seconds until the window ends) and an
 * ApiErrorBody with code `rate-limited`. Preflight requests are not counted.
 * `limit: 0` gives a middleware that lets everything through. With
 * `delayMs`, each 429 is sent that long after the request arrived.
 *
 * Memory: one small entry per client seen in the current or the previous
 * window; older ones are dropped in bulk by the store's (unref'd) timer.
 */
export function createRateLimit(setting: RateLimitSetting, clientKey: (c: Context) => string, options: { delayMs?: number } = {}): RateLimit {
  const delayMs = options.delayMs ?? 0;
  if (setting.limit === 0) return { middleware: async (_c, next) => next(), close: () => undefined };
  const store = new MemoryStore();
  const middleware = rateLimiter({
    windowMs: setting.windowMs,
    limit: setting.limit,
    standardHeaders: 'draft-7',
    keyGenerator: clientKey,
    skip: (c) => c.req.method === 'OPTIONS',
    store,
    handler: async (c) => {
      // Holding the 429 back slows a client that floods in a loop to (its connections ÷ delay) requests
      // per second; the timers are bounded by the connection cap and do not keep the process alive.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      const info = c.get('rateLimit' as never) as RateLimitInfo | undefined;
      const seconds = retryAfterSeconds(info?.resetTime, setting.windowMs);
      c.header('Retry-After', String(seconds));
      c.header('Cache-Control', 'no-store');
      return apiError(
        c,
        429,
        RATE_LIMITED_CODE,
        `Too many requests from this address; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
      );
    },
  });
  return { middleware: middleware as MiddlewareHandler, close: () => store.shutdown() };
}

function retryAfterSeconds(resetTime: Date | undefined, windowMs: number): number {
  const ms = resetTime ? resetTime.getTime() - Date.now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}
