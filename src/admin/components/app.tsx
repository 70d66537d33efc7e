/**
 * The config page: sign in with the admin token, then the settings and the
 * Test a token card. A refused admin token at any point signs the page out.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createAdminApi, type ApiError, type AdminConfigView } from '../api.js';
import { forgetAdminToken, loadAdminToken, saveAdminToken } from '../session.js';
import { ConfigForm } from './config-form.js';
import { SignInForm } from './sign-in-form.js';
import { TestCard } from './test-card.js';

type Phase =
  | { kind: 'signed-out'; error: string | null }
  /** fromStorage: a reload with a remembered token, so there is no form to show meanwhile. */
  | { kind: 'checking'; token: string; fromStorage: boolean }
  | { kind: 'ready'; token: string; view: AdminConfigView }
  | { kind: 'failed'; token: string; message: string };

export function App() {
  const [phase, setPhase] = useState<Phase>(() => {
    const token = loadAdminToken();
    return token ? { kind: 'checking', token, fromStorage: true } : { kind: 'signed-out', error: null };
  });
  const [configVersion, setConfigVersion] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const token = phase.kind === 'signed-out' ? null : phase.token;
  const api = useMemo(() => (token ? createAdminApi(token) : null), [token]);

  useEffect(() => {
    if (phase.kind !== 'checking' || !api) return;
    let current = true;
    void api.getConfig().then((result) => {
      if (!current) return;
      if (result.ok) {
        saveAdminToken(phase.token);
        setPhase({ kind: 'ready', token: phase.token, view: result.value });
        requestAnimationFrame(() => headingRef.current?.focus());
      } else if (result.error.status === 401) {
        signOut('The server refused this admin token; check it and try again.');
      } else {
        setPhase({ kind: 'failed', token: phase.token, message: result.error.message });
      }
    });
    return () => {
      current = false;
    };
  }, [phase, api]);

  function signOut(error: string | null = null) {
    forgetAdminToken();
    setPhase({ kind: 'signed-out', error });
  }

  function onApiError(error: ApiError) {
    if (error.status === 401) signOut('The server refused the admin token (it may have changed); sign in again.');
  }

  return (
    <div class="page">
      <header class="top">
        <h1 tabIndex={-1} ref={headingRef}>
          Visitor sign-in
        </h1>
        {phase.kind === 'ready' ? (
          <button type="button" class="small" onClick={() => signOut()}>
            Sign out
          </button>
        ) : null}
      </header>
      <main>
        {phase.kind === 'checking' && phase.fromStorage ? (
          <p class="muted" role="status">
            Loading the config…
          </p>
        ) : null}
        {phase.kind === 'signed-out' || (phase.kind === 'checking' && !phase.fromStorage) ? (
          <SignInForm
            busy={phase.kind === 'checking'}
            error={phase.kind === 'signed-out' ? phase.error : null}
            onSubmit={(value) => setPhase({ kind: 'checking', token: value, fromStorage: false })}
          />
        ) : null}
        {phase.kind === 'failed' ? (
          <section class="card narrow" role="alert">
            <h2>The config could not be loaded</h2>
            <p>{phase.message}</p>
            <div class="actions">
              <button type="button" class="primary" onClick={() => setPhase({ kind: 'checking', token: phase.token, fromStorage: true })}>
                Try again
              </button>
              <button type="button" onClick={() => signOut()}>
                Sign out
              </button>
            </div>
          </section>
        ) : null}
        {phase.kind === 'ready' && api ? (
          <div class="columns">
            <ConfigForm
              api={api}
              view={phase.view}
              onSaved={(view) => {
                setPhase({ kind: 'ready', token: phase.token, view });
                setConfigVersion((version) => version + 1);
              }}
              onSecretGenerated={() => {
                setPhase({ kind: 'ready', token: phase.token, view: { ...phase.view, hmacSecretSet: true } });
                setConfigVersion((version) => version + 1);
              }}
              onApiError={onApiError}
            />
            <TestCard api={api} configVersion={configVersion} onApiError={onApiError} view={phase.view} />
          </div>
        ) : null}
      </main>
    </div>
  );
}
