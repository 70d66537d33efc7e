import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/backend/limits/config.js';

describe('resolveLimits', () => {
  it('defaults every value, reads the environment, and lets an option win over it', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    const env = {
      QUINCER_RATE_LIMIT_CHAT: '5/10s',
      QUINCER_RATE_LIMIT_HISTORY: 'off',
      QUINCER_TRUSTED_PROXY_HOPS: '1',
      QUINCER_RATE_LIMIT_DELAY_MS: '250',
      QUINCER_REQUEST_TIMEOUT_MS: '8000',
      QUINCER_MAX_CONNECTIONS: '50',
      QUINCER_ANONYMOUS_IDLE_SECONDS: '3600',
      QUINCER_PURGE_INTERVAL_SECONDS: '60',
      QUINCER_MAX_MESSAGES_PER_CONVERSATION: '40',
    };
    const limits = resolveLimits({ rateLimits: { chat: { limit: 7 } }, http: { maxConnections: 9 } }, env);
    expect(limits.rateLimits.chat).toEqual({ limit: 7, windowMs: 10_000 });
    expect(limits.rateLimits.history.limit).toBe(0);
    expect(limits.rateLimits.adminTest).toEqual(DEFAULT_LIMITS.rateLimits.adminTest);
    expect(limits.trustedProxyHops).toBe(1);
    expect(limits.rateLimitDelayMs).toBe(250);
    expect(resolveLimits({ rateLimitDelayMs: 0 }, env).rateLimitDelayMs).toBe(0);
    expect(limits.http).toEqual({ ...DEFAULT_LIMITS.http, requestTimeoutMs: 8_000, maxConnections: 9 });
    expect(limits.retention).toEqual({
      ...DEFAULT_LIMITS.retention,
      anonymousIdleMs: 3_600_000,
      purgeIntervalMs: 60_000,
      maxMessagesPerConversation: 40,
    });
    expect(Object.isFrozen(limits.http)).toBe(true);
  });

  it('refuses a wrong value at start-up and names the setting', () => {
    expect(() => resolveLimits({}, { QUINCER_RATE_LIMIT_CHAT: '5 per minute' })).toThrow(/QUINCER_RATE_LIMIT_CHAT must be "<requests>\/<seconds>s"/);
    expect(() => resolveLimits({}, { QUINCER_MAX_CONNECTIONS: 'lots' })).toThrow(/QUINCER_MAX_CONNECTIONS must be a number/);
    expect(() => resolveLimits({ http: { maxConnections: 0 } })).toThrow(/limits\.http\.maxConnections/);
    expect(() => resolveLimits({ rateLimits: { chat: { limit: -1 } } })).toThrow(/limits\.rateLimits\.chat\.limit/);
    expect(() => resolveLimits({ http: { headersTimeoutMs: 20_000 } })).toThrow(/headersTimeoutMs .* must not exceed .*requestTimeoutMs/);
    expect(() => resolveLimits({ retention: { maxMessagesPerConversation: 1 } })).toThrow(/maxMessagesPerConversation/);
  });
});
