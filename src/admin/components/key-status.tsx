/** The verifier's keys as the backend holds them: JWKS URL, key ids, cache age, last fetch error. */
import type { KeyStatus } from '../api.js';
import { formatDuration } from '../token-info.js';

export interface KeyStatusViewProps {
  status: KeyStatus | null;
  error: string | null;
  nowMs: number;
  onReload: () => void;
}

export function KeyStatusView({ status, error, nowMs, onReload }: KeyStatusViewProps) {
  return (
    <div class="key-status" aria-labelledby="key-status-title">
      <div class="row">
        <h3 id="key-status-title">Key status</h3>
        <button type="button" class="small" onClick={onReload}>
          Reload key status
        </button>
      </div>
      {error ? <p class="field-error">{error}</p> : null}
      {status === null ? null : status.mode !== 'jwks' ? (
        <p class="muted">Keys are fetched only in JWT + JWKS mode (the saved mode is {status.mode}).</p>
      ) : (
        <dl class="facts">
          <dt>JWKS URL</dt>
          <dd class="mono">{status.jwksUrl ?? '(not set)'}</dd>
          <dt>Key ids held</dt>
          <dd data-testid="key-ids">
            {status.kids.length > 0 ? (
              <ul class="plain">
                {status.kids.map((kid) => (
                  <li key={kid} class="mono">
                    {kid}
                  </li>
                ))}
              </ul>
            ) : (
              'none yet (keys are fetched on the first verification)'
            )}
          </dd>
          <dt>Cache age</dt>
          <dd>{status.fetchedAt !== null ? `fetched ${formatDuration(Math.max(0, (nowMs - status.fetchedAt) / 1000))} ago` : 'not fetched yet'}</dd>
          <dt>Last fetch error</dt>
          <dd data-testid="last-fetch-error">{status.lastFetchError ?? 'none'}</dd>
        </dl>
      )}
    </div>
  );
}
