import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { backendLogger } from '../../../src/backend/logger.js';

describe('the backend logger', () => {
  it('redacts authorization headers, tokens and secrets wherever a caller puts them by mistake', () => {
    const lines: string[] = [];
    const logger = backendLogger(pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }));
    const secret = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    logger.info({ headers: { authorization: secret } }, 'one');
    logger.info({ req: { headers: { authorization: secret } } }, 'two');
    logger.info({ authorization: secret, token: secret, hmacSecret: secret, adminToken: secret, masterKey: secret }, 'three');
    logger.info({ body: { token: secret, hmacSecret: secret } }, 'four');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain('eyJ');
      expect(line).toContain('[redacted]');
    }
  });
});
