/**
 * The pasted token's header and lifetime, decoded without verification for
 * display only, with the "don't issue 1-year tokens" warning.
 */
import { formatDuration, inspectToken, MAX_RECOMMENDED_LIFETIME_SECONDS } from '../token-info.js';

export function TokenDetails({ token, nowMs }: { token: string; nowMs: number }) {
  if (token.trim() === '') return null;
  const inspection = inspectToken(token);
  if (!inspection.ok) {
    return (
      <div class="token-details" aria-labelledby="token-details-title">
        <h3 id="token-details-title">Token details</h3>
        <p class="muted">{inspection.problem}</p>
      </div>
    );
  }
  const { alg, kid, typ, iat, exp, lifetimeSeconds } = inspection.info;
  const tooLong = lifetimeSeconds !== null && lifetimeSeconds > MAX_RECOMMENDED_LIFETIME_SECONDS;
  return (
    <div class="token-details" aria-labelledby="token-details-title">
      <h3 id="token-details-title">Token details</h3>
      <p class="muted" id="token-details-note">
        Decoded without verification, for display only. Only Verify tells you whether the token is genuine.
      </p>
      <dl class="facts" aria-describedby="token-details-note">
        <dt>alg</dt>
        <dd data-testid="token-alg">{alg ?? '(none)'}</dd>
        <dt>kid</dt>
        <dd data-testid="token-kid">{kid ?? '(none)'}</dd>
        {typ !== null ? (
          <>
            <dt>typ</dt>
            <dd>{typ}</dd>
          </>
        ) : null}
        <dt>Issued (iat)</dt>
        <dd>{iat !== null ? isoTime(iat) : '(no iat)'}</dd>
        <dt>Expires (exp)</dt>
        <dd>
          {exp !== null ? isoTime(exp) : '(no exp)'}
          {exp !== null && exp * 1000 < nowMs ? <span class="tag bad" data-testid="token-expired"> in the past</span> : null}
        </dd>
        <dt>Lifetime (exp − iat)</dt>
        <dd data-testid="token-lifetime">{lifetimeSeconds !== null ? formatDuration(lifetimeSeconds) : 'unknown'}</dd>
      </dl>
      {tooLong ? (
        <p class="warning" data-testid="lifetime-warning">
          This token is valid for {formatDuration(lifetimeSeconds)}, more than 24 hours. Don't issue 1-year tokens: a leaked one
          is valid for that whole window. Issue short-lived tokens (an hour is typical) and refresh them.
        </p>
      ) : null}
      {exp === null ? (
        <p class="warning" data-testid="lifetime-warning">
          This token has no exp, so it never expires. Set an expiration time (an hour is typical) when you issue it.
        </p>
      ) : null}
    </div>
  );
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z');
}
