/**
 * Test a token: the backend verifies a pasted token with the saved config and
 * answers with the identity tools would see, or the reason; the documentation's
 * fix is shown beside it. "Refresh JWKS + verify" re-pulls the keys first.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { FAILURE_DETAILS, REASON_HELP, isFailureDetail, isFailureReason } from '../../protocol/reasons.js';
import type { AdminApi, AdminConfigView, ApiError, KeyStatus, TestTokenResponse } from '../api.js';
import { TextField } from './field.js';
import { KeyStatusView } from './key-status.js';
import { TokenDetails } from './token-details.js';

export interface TestCardProps {
  api: AdminApi;
  /** Changes whenever the saved config changes, so the key status is re-read. */
  configVersion: number;
  onApiError: (error: ApiError) => void;
  /** The saved settings: their warnings and enforced values are shown beside the verdict. */
  view?: AdminConfigView;
}

type Outcome = { kind: 'none' } | { kind: 'busy' } | { kind: 'result'; result: TestTokenResponse; refreshed: boolean } | { kind: 'error'; message: string };

export function TestCard({ api, configVersion, onApiError, view }: TestCardProps) {
  const [token, setToken] = useState('');
  const [inputError, setInputError] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [status, setStatus] = useState<KeyStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const tokenRef = useRef<HTMLInputElement | HTMLTextAreaElement>(null);

  async function reloadStatus() {
    const result = await api.keyStatus();
    setNowMs(Date.now());
    if (result.ok) {
      setStatus(result.value);
      setStatusError(null);
    } else {
      setStatusError(result.error.message);
      onApiError(result.error);
    }
  }

  useEffect(() => {
    void reloadStatus();
  }, [api, configVersion]);

  async function verify(refreshJwks: boolean) {
    const value = token.trim();
    if (value === '') {
      setInputError('Paste a token first.');
      tokenRef.current?.focus();
      return;
    }
    setInputError(undefined);
    setOutcome({ kind: 'busy' });
    const result = await api.testToken(value, refreshJwks);
    if (result.ok) setOutcome({ kind: 'result', result: result.value, refreshed: refreshJwks });
    else {
      setOutcome({ kind: 'error', message: result.error.message });
      onApiError(result.error);
    }
    await reloadStatus();
  }

  return (
    <section class="card" aria-labelledby="test-title">
      <h2 id="test-title">Test a token</h2>
      <p>
        Sign in on your platform, grab a real token, paste it here and click Verify. The saved settings are used (Save your changes
        first).
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void verify(false);
        }}
        noValidate
      >
        <TextField
          id="test-token"
          label="Token"
          multiline
          rows={4}
          monospace
          value={token}
          onInput={(value) => {
            setToken(value);
            setInputError(undefined);
            // A verdict belongs to the token it was given for.
            setOutcome((current) => (current.kind === 'busy' ? current : { kind: 'none' }));
          }}
          error={inputError}
          placeholder="eyJhbGciOi…"
          hint="The JWT exactly as your auth system issued it. It is sent to this server only, and never stored or logged."
          inputRef={tokenRef}
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={outcome.kind === 'busy'}>
            Verify
          </button>
          <button type="button" disabled={outcome.kind === 'busy'} onClick={() => void verify(true)}>
            Refresh JWKS + verify
          </button>
        </div>
      </form>
      <div class="result-region" aria-live="polite" aria-atomic="true" data-testid="test-result">
        <OutcomeView outcome={outcome} />
        {outcome.kind === 'result' && view && view.warnings.length > 0 ? (
          <ul class="warning" data-testid="test-warnings">
            {view.warnings.map((warning) => (
              <li key={warning.code} data-code={warning.code}>
                {warning.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <TokenDetails token={token} nowMs={nowMs} {...(view ? { view } : {})} />
      <KeyStatusView status={status} error={statusError} nowMs={nowMs} onReload={() => void reloadStatus()} />
    </section>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'none':
      return null;
    case 'busy':
      return <p class="muted">Verifying…</p>;
    case 'error':
      return (
        <div class="result bad">
          <p>The test could not run: {outcome.message}</p>
        </div>
      );
    case 'result': {
      const { result } = outcome;
      if (result.ok) {
        return (
          <div class="result good">
            <p class="verdict">Verified</p>
            <p>The identity your tools receive{outcome.refreshed ? ' (keys re-pulled first)' : ''}:</p>
            <pre class="mono identity" data-testid="identity">
              {JSON.stringify(result.identity, null, 2)}
            </pre>
          </div>
        );
      }
      const help = isFailureReason(result.reason) ? REASON_HELP[result.reason] : null;
      const detail = isFailureDetail(result.detail) ? result.detail : null;
      return (
        <div class="result bad">
          <p class="verdict">
            Not verified: <code data-testid="reason">{result.reason}</code>
          </p>
          <p data-testid="reason-message">{result.message}</p>
          {help ? (
            <dl class="facts">
              {detail ? (
                <>
                  <dt>Detail</dt>
                  <dd>
                    <code data-testid="reason-detail">{detail}</code>
                  </dd>
                  <dt>What to do</dt>
                  <dd data-testid="detail-fix">{FAILURE_DETAILS[detail].fix}</dd>
                </>
              ) : null}
              <dt>What it means</dt>
              <dd>{help.meaning}</dd>
              <dt>Fix</dt>
              <dd data-testid="reason-fix">{help.fix}</dd>
            </dl>
          ) : null}
        </div>
      );
    }
  }
}
