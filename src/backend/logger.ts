import { pino, type Logger } from 'pino';

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
