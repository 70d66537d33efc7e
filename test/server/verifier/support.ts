/** Shared pieces for the verifier tests: an injectable clock and a recording logger. */
import type { VerifierLogger } from '../../../src/verifier/index.js';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(start = Date.now()): Clock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
    set(ms) {
      current = ms;
    },
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

export interface RecordingLogger extends VerifierLogger {
  lines: LogLine[];
  /** Every line as it would be written (JSON of the object and message). */
  text(): string[];
  events(name: string): LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const record = (level: LogLine['level']) => (obj: object, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return {
    lines,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    text: () => lines.map((line) => JSON.stringify({ level: line.level, ...line.obj, msg: line.msg })),
    events: (name) => lines.filter((line) => (line.obj as { event?: unknown }).event === name),
  };
}

export const HMAC_SECRET = 'quincer-test-secret-0123456789-abcdefghijklmnop';
