import { pino, type Logger } from 'pino';
import type { VerifierLogger } from '../verifier/index.js';

/**
 * Paths pino censors in every line, wherever a caller might put a token or a
 * secret by mistake. The backend never logs headers or bodies on purpose;
 * this is the safety net.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  'token',
  '*.token',
  'hmacSecret',
  '*.hmacSecret',
  'adminToken',
  '*.adminToken',
  'masterKey',
  '*.masterKey',
];

export function createDefaultLogger(level: string = process.env.QUINCER_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** The backend's logger: the caller's, with the redaction rules added. */
export function backendLogger(base: Logger): Logger {
  return base.child({ service: 'quincer-backend' }, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** Token refusals that are ordinary traffic: a visitor who never signed in, a token that ran out. */
const ROUTINE_REFUSALS = new Set(['missing-token', 'expired']);

/**
 * The logger the backend hands its verifier. The verifier warns on every
 * refused token; in the backend most of those are ordinary traffic (every
 * anonymous message has no token), so `missing-token` and `expired` go to
 * debug, where a flood of anonymous messages cannot fill the log. Refusals
 * that point at a misconfiguration or an attack (bad-signature, bad-issuer,
 * jwks-fetch-failed, …) stay at warn. Lines carry the reason and detail
 * codes only, never the token or a claim value.
 */
export function verifierLogger(base: Logger): VerifierLogger {
  const logger = base.child({ component: 'verifier' });
  return {
    info: (obj, msg) => logger.info(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
    warn(obj, msg) {
      const { event, reason } = obj as { event?: unknown; reason?: unknown };
      if (event === 'visitor-token-refused' && typeof reason === 'string' && ROUTINE_REFUSALS.has(reason)) logger.debug(obj, msg);
      else logger.warn(obj, msg);
    },
  };
}
