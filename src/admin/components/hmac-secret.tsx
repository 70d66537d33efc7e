/**
 * HMAC Generate: asks the server for a fresh 32-byte secret and shows it this
 * once, with a copy button. The value lives only in this component's state
 * until the person dismisses it; the server never sends it again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdminApi, ApiError } from '../api.js';

export interface HmacSecretProps {
  api: AdminApi;
  secretSet: boolean;
  /** The secret being shown, held by the parent so switching modes cannot lose it before it is copied. */
  secret: string | null;
  onSecretChange: (secret: string | null) => void;
  onGenerated: () => void;
  onApiError: (error: ApiError) => void;
}

type CopyState = 'idle' | 'copied' | 'failed';

export function HmacSecret({ api, secretSet, secret, onSecretChange: setSecret, onGenerated, onApiError }: HmacSecretProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copy, setCopy] = useState<CopyState>('idle');
  const secretRef = useRef<HTMLInputElement>(null);
  const generateRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (secret !== null) secretRef.current?.select();
  }, [secret]);

  async function generate() {
    setBusy(true);
    setError(null);
    const result = await api.generateSecret();
    setBusy(false);
    setConfirming(false);
    if (!result.ok) {
      setError(result.error.message);
      onApiError(result.error);
      return;
    }
    setCopy('idle');
    setSecret(result.value.hmacSecret);
    onGenerated();
  }

  async function copySecret() {
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      secretRef.current?.select();
      setCopy('failed');
    }
  }

  function dismiss() {
    setSecret(null);
    setCopy('idle');
    // The button that replaced the secret box gets the focus back.
    requestAnimationFrame(() => generateRef.current?.focus());
  }

  if (secret !== null) {
    return (
      <div class="secret-box" role="group" aria-labelledby="secret-title">
        <h4 id="secret-title">Your new HMAC secret</h4>
        <p class="warning" id="secret-warning">
          Copy it to your backend's secrets manager now. It is stored encrypted and will not be shown again.
        </p>
        <label for="hmac-secret-value" class="visually-hidden">
          New HMAC secret
        </label>
        <input
          id="hmac-secret-value"
          class="input mono"
          readOnly
          value={secret}
          ref={secretRef}
          aria-describedby="secret-warning"
          autoComplete="off"
          spellcheck={false}
        />
        <div class="actions">
          <button type="button" class="primary" onClick={copySecret}>
            Copy secret
          </button>
          <button type="button" onClick={dismiss}>
            I have copied it
          </button>
        </div>
        <p class="status" role="status">
          {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'failed' ? 'Copying failed; the secret is selected, press Ctrl+C (⌘C).' : ''}
        </p>
      </div>
    );
  }

  return (
    <div class="secret-panel">
      <p id="hmac-secret-state" class={secretSet ? 'ok-text' : 'muted'}>
        {secretSet ? 'A secret is set. It is stored encrypted and never shown again.' : 'No secret yet. Click Generate to create one.'}
      </p>
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="replace-question">
          <p id="replace-question" class="warning">
            Replace the current secret? Tokens signed with it stop verifying until your backend uses the new one.
          </p>
          <div class="actions">
            <button type="button" class="danger" onClick={generate} disabled={busy}>
              Replace secret
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button
            type="button"
            id="hmac-generate"
            ref={generateRef}
            aria-describedby="hmac-secret-state"
            disabled={busy}
            onClick={() => (secretSet ? setConfirming(true) : generate())}
          >
            {busy ? 'Generating…' : secretSet ? 'Generate a new secret' : 'Generate'}
          </button>
        </div>
      )}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
