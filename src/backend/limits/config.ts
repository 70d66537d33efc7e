/**
 * The backend's abuse limits, resolved once into a readonly, fully-defaulted
 * object: rate limits, HTTP server timeouts and the connection cap, and the
 * retention of anonymous conversations. Every value has a `startServer`
 * option and an environment variable (docs/backend-limits.md lists them with
 * their defaults); an option wins over the environment, which wins over the
 * default. A wrong value throws a TypeError naming the setting, at start-up.
 */

/** At most `limit` requests per client in each fixed window of `windowMs`. `limit: 0` turns the limit off. */
export interface RateLimitSetting {
  readonly limit: number;
  readonly windowMs: number;
}

export type RateLimitName = 'chat' | 'history' | 'adminTest' | 'signInRelay';

export interface BackendLimits {
  readonly rateLimits: Readonly<Record<RateLimitName, RateLimitSetting>>;
  /**
   * How long a request over its limit waits before its 429. A client that
   * floods over a few connections is slowed to a few requests a second, so
   * rejecting it costs the backend next to nothing. 0: answer at once.
   */
  readonly rateLimitDelayMs: number;
  /**
   * How many reverse proxies in front of the backend append to
   * `X-Forwarded-For`. 0 (the default): the client is the TCP peer and the
   * header is ignored. N: the client is the N-th address from the right of
   * `X-Forwarded-For` (the one the outermost trusted proxy saw).
   */
  readonly trustedProxyHops: number;
  readonly http: {
    /** Time to receive a whole request, headers and body (Node's requestTimeout). */
    readonly requestTimeoutMs: number;
    /** Time to receive the request headers (Node's headersTimeout); at most requestTimeoutMs. */
    readonly headersTimeoutMs: number;
    /** How long an idle keep-alive connection stays open (Node's keepAliveTimeout). */
    readonly keepAliveTimeoutMs: number;
    /** Open connections at most; further ones are closed at once (net.Server maxConnections). */
    readonly maxConnections: number;
  };
  readonly retention: {
    /** An anonymous conversation with no new message for this long is deleted. */
    readonly anonymousIdleMs: number;
    /** How often the purge runs. */
    readonly purgeIntervalMs: number;
    /** Conversations deleted per transaction; the purge yields to requests between batches. */
    readonly purgeBatchSize: number;
    /** Stored messages (visitor and assistant) per conversation at most. */
    readonly maxMessagesPerConversation: number;
  };
}

export type LimitsOptions = {
  rateLimits?: Partial<Record<RateLimitName, Partial<RateLimitSetting>>>;
  rateLimitDelayMs?: number;
  trustedProxyHops?: number;
  http?: Partial<BackendLimits['http']>;
  retention?: Partial<BackendLimits['retention']>;
};

const MINUTE = 60_000;

export const DEFAULT_LIMITS: BackendLimits = deepFreeze({
  rateLimits: {
    chat: { limit: 60, windowMs: MINUTE },
    history: { limit: 120, windowMs: MINUTE },
    adminTest: { limit: 30, windowMs: MINUTE },
    signInRelay: { limit: 60, windowMs: MINUTE },
  },
  rateLimitDelayMs: 1_000,
  trustedProxyHops: 0,
  http: {
    requestTimeoutMs: 10_000,
    headersTimeoutMs: 5_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 1_000,
  },
  retention: {
    anonymousIdleMs: 24 * 60 * MINUTE,
    purgeIntervalMs: 5 * MINUTE,
    purgeBatchSize: 500,
    maxMessagesPerConversation: 200,
  },
});

/** The environment variable of each setting (seconds where the name says so). */
export const LIMIT_ENV = {
  rateLimits: {
    chat: 'QUINCER_RATE_LIMIT_CHAT',
    history: 'QUINCER_RATE_LIMIT_HISTORY',
    adminTest: 'QUINCER_RATE_LIMIT_ADMIN_TEST',
    signInRelay: 'QUINCER_RATE_LIMIT_SIGN_IN_RELAY',
  },
  rateLimitDelayMs: 'QUINCER_RATE_LIMIT_DELAY_MS',
  trustedProxyHops: 'QUINCER_TRUSTED_PROXY_HOPS',
  http: {
    requestTimeoutMs: 'QUINCER_REQUEST_TIMEOUT_MS',
    headersTimeoutMs: 'QUINCER_HEADERS_TIMEOUT_MS',
    keepAliveTimeoutMs: 'QUINCER_KEEP_ALIVE_TIMEOUT_MS',
    maxConnections: 'QUINCER_MAX_CONNECTIONS',
  },
  retention: {
    anonymousIdleMs: 'QUINCER_ANONYMOUS_IDLE_SECONDS',
    purgeIntervalMs: 'QUINCER_PURGE_INTERVAL_SECONDS',
    purgeBatchSize: 'QUINCER_PURGE_BATCH_SIZE',
    maxMessagesPerConversation: 'QUINCER_MAX_MESSAGES_PER_CONVERSATION',
  },
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the limits: `options` first, then `env` (pass `process.env`; the
 * default `{}` reads no environment), then DEFAULT_LIMITS.
 */
export function resolveLimits(options: LimitsOptions = {}, env: Env = {}): BackendLimits {
  if (typeof options !== 'object' || options === null) throw new TypeError('limits must be an object (see docs/backend-limits.md).');
  const rateLimits = {} as Record<RateLimitName, RateLimitSetting>;
  for (const name of Object.keys(DEFAULT_LIMITS.rateLimits) as RateLimitName[]) {
    const fromEnv = rateFromEnv(env, LIMIT_ENV.rateLimits[name]);
    const option = options.rateLimits?.[name] ?? {};
    const fallback = fromEnv ?? DEFAULT_LIMITS.rateLimits[name];
    rateLimits[name] = {
      limit: integer(`limits.rateLimits.${name}.limit`, option.limit ?? fallback.limit, 0),
      windowMs: integer(`limits.rateLimits.${name}.windowMs`, option.windowMs ?? fallback.windowMs, 1),
    };
  }
  const pick = <G extends 'http' | 'retention'>(group: G, key: keyof BackendLimits[G] & string, min: number, scale = 1, max = MAX_TIMER): number => {
    const option = (options[group] as Record<string, number | undefined> | undefined)?.[key];
    const envName = (LIMIT_ENV[group] as Record<string, string>)[key]!;
    const value = option ?? numberFromEnv(env, envName, scale) ?? (DEFAULT_LIMITS[group] as Record<string, number>)[key]!;
    return integer(option === undefined && env[envName] ? envName : `limits.${group}.${key}`, value, min, max);
  };
  const http = {
    requestTimeoutMs: pick('http', 'requestTimeoutMs', 1),
    headersTimeoutMs: pick('http', 'headersTimeoutMs', 1),
    keepAliveTimeoutMs: pick('http', 'keepAliveTimeoutMs', 1),
    maxConnections: pick('http', 'maxConnections', 1),
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    throw new TypeError(
      `limits.http.headersTimeoutMs (${http.headersTimeoutMs}) must not exceed limits.http.requestTimeoutMs (${http.requestTimeoutMs}).`,
    );
  }
  const retention = {
    // A cut-off, not a timer: years are fine.
    anonymousIdleMs: pick('retention', 'anonymousIdleMs', 1, 1000, Number.MAX_SAFE_INTEGER),
    purgeIntervalMs: pick('retention', 'purgeIntervalMs', 1, 1000),
    purgeBatchSize: pick('retention', 'purgeBatchSize', 1),
    maxMessagesPerConversation: pick('retention', 'maxMessagesPerConversation', 2),
  };
  const hopsEnv = numberFromEnv(env, LIMIT_ENV.trustedProxyHops, 1);
  const trustedProxyHops = integer('limits.trustedProxyHops', options.trustedProxyHops ?? hopsEnv ?? DEFAULT_LIMITS.trustedProxyHops, 0);
  const delayEnv = numberFromEnv(env, LIMIT_ENV.rateLimitDelayMs, 1);
  const rateLimitDelayMs = integer('limits.rateLimitDelayMs', options.rateLimitDelayMs ?? delayEnv ?? DEFAULT_LIMITS.rateLimitDelayMs, 0, 60_000);
  return deepFreeze({ rateLimits, rateLimitDelayMs, trustedProxyHops, http, retention });
}

const RATE = /^\s*(\d+)\s*\/\s*(\d+)\s*s\s*$/;

/** `"30/60s"`: 30 requests per 60 seconds; `"off"`: no limit. */
function rateFromEnv(env: Env, name: string): RateLimitSetting | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.trim() === 'off') return { limit: 0, windowMs: MINUTE };
  const match = RATE.exec(raw);
  if (!match || Number(match[2]) < 1) {
    throw new TypeError(`${name} must be "<requests>/<seconds>s" (for example "30/60s") or "off", not "${raw}".`);
  }
  return { limit: Number(match[1]), windowMs: Number(match[2]) * 1000 };
}

function numberFromEnv(env: Env, name: string, scale: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(value)) throw new TypeError(`${name} must be a number, not "${raw}".`);
  return Math.round(value * scale);
}

/** Node's timers take at most 2^31-1 ms. */
const MAX_TIMER = 2_147_483_647;

function integer(name: string, value: unknown, min: number, max = MAX_TIMER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}.`);
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
