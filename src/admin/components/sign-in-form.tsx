/** Asks for the admin token; the parent checks it against the server. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { TextField } from './field.js';

export interface SignInFormProps {
  busy: boolean;
  error: string | null;
  onSubmit: (token: string) => void;
}

export function SignInForm({ busy, error, onSubmit }: SignInFormProps) {
  const [token, setToken] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement | HTMLTextAreaElement>(null);
  const shownError = localError ?? error;

  useEffect(() => {
    inputRef.current?.focus();
  }, [error]);

  const submit = (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setLocalError('Enter the admin token the server printed at start-up (or QUINCER_ADMIN_TOKEN).');
      inputRef.current?.focus();
      return;
    }
    setLocalError(null);
    onSubmit(value);
  };

  return (
    <section class="card narrow" aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <p>This page changes how the chat backend verifies your visitors. Enter the admin token to continue.</p>
      <form onSubmit={submit} noValidate>
        <TextField
          id="admin-token"
          label="Admin token"
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(value) => {
            setToken(value);
            setLocalError(null);
          }}
          error={shownError ?? undefined}
          hint="Kept in this tab's session storage only; closing the tab forgets it."
          inputRef={inputRef}
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
