import { describe, expect, it } from 'vitest';
import { isCompactJws, isCurableBySignIn, isFailureReason, LIMITS } from '../../src/protocol/index.js';

describe('protocol', () => {
  it('recognises a compact JWS and nothing else', () => {
    expect(isCompactJws('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln')).toBe(true);
    for (const bad of [undefined, 42, '', 'a.b', 'a.b.c.d', 'a.b.', ' a.b.c', 'a.b.c ', 'a+b.c.d', 'a.b=.c', 'x'.repeat(LIMITS.maxTokenChars) + '.a.b']) {
      expect(isCompactJws(bad)).toBe(false);
    }
  });
  it('knows which reasons a sign-in can cure', () => {
    expect(['missing-token', 'expired', 'bad-signature'].every((r) => isCurableBySignIn(r as never))).toBe(true);
    expect(['config-incomplete', 'jwks-fetch-failed', 'bad-claim', 'missing-claim', 'malformed-token'].some((r) => isCurableBySignIn(r as never))).toBe(false);
    expect(isFailureReason('expired')).toBe(true);
    expect(isFailureReason('missing-claim')).toBe(false);
  });
});
