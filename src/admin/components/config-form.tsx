/**
 * The Visitor sign-in settings: mode, the mode's fields, claim mapping (checked
 * as you type), Sign-in URL and allowed site origins. Save sends everything but
 * the secret; the server's per-field errors are shown at their fields and the
 * first one gets the focus.
 */
import { useRef, useState } from 'preact/hooks';
import type { AdminApi, ApiError, AdminConfigView, VisitorSignInMode } from '../api.js';
import {
  FIELD_ORDER,
  MODE_LABELS,
  buildUpdate,
  claimMappingProblem,
  placeServerErrors,
  valuesFromView,
  type FieldErrors,
  type FieldName,
  type FormValues,
} from '../config-form.js';
import { TextField } from './field.js';
import { HmacSecret } from './hmac-secret.js';

export interface ConfigFormProps {
  api: AdminApi;
  view: AdminConfigView;
  onSaved: (view: AdminConfigView) => void;
  onSecretGenerated: () => void;
  onApiError: (error: ApiError) => void;
}

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string; other: string[] };

const MODES: readonly VisitorSignInMode[] = ['off', 'jwks', 'hmac'];

export function ConfigForm({ api, view, onSaved, onSecretGenerated, onApiError }: ConfigFormProps) {
  const [values, setValues] = useState<FormValues>(() => valuesFromView(view));
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [revealedSecret, setRevealedSecret] = useState<string | null>(null);
  const fieldRefs = useRef<Partial<Record<FieldName, HTMLElement | null>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);

  const liveMappingProblem = claimMappingProblem(values.claimMapping);
  const errorOf = (name: FieldName): string | undefined =>
    name === 'claimMapping' ? (liveMappingProblem ?? serverErrors.claimMapping) : serverErrors[name];
  const refFor = (name: FieldName) => (element: HTMLElement | null) => {
    fieldRefs.current[name] = element;
  };

  function update<K extends FieldName>(name: K, value: FormValues[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    setServerErrors((current) => (current[name] === undefined ? current : { ...current, [name]: undefined }));
    if (save.kind === 'saved') setSave({ kind: 'idle' });
  }

  function focusFirstError(errors: FieldErrors) {
    const first = FIELD_ORDER.find((name) => errors[name] !== undefined && fieldRefs.current[name]);
    // After the render that shows the messages, so aria-describedby already points at them.
    requestAnimationFrame(() => (first ? fieldRefs.current[first]?.focus() : summaryRef.current?.focus()));
  }

  async function submit(event: Event) {
    event.preventDefault();
    const built = buildUpdate(values);
    if (!built.ok) {
      setServerErrors(built.fields);
      setSave({ kind: 'failed', message: 'The config was not saved; fix the highlighted fields.', other: [] });
      focusFirstError(built.fields);
      return;
    }
    setSave({ kind: 'saving' });
    const result = await api.putConfig(built.update);
    if (result.ok) {
      setServerErrors({});
      setValues(valuesFromView(result.value));
      setSave({ kind: 'saved' });
      onSaved(result.value);
      return;
    }
    onApiError(result.error);
    const { byField, other } = placeServerErrors(result.error.fields ?? {});
    setServerErrors(byField);
    const placed = Object.keys(byField).length > 0;
    setSave({ kind: 'failed', message: placed ? 'The config was not saved; fix the highlighted fields.' : result.error.message, other });
    focusFirstError(byField);
  }

  return (
    <section class="card" aria-labelledby="config-title">
      <h2 id="config-title">Settings</h2>
      <form onSubmit={submit} noValidate>
        {save.kind === 'failed' ? (
          <div class="alert error" role="alert" tabIndex={-1} ref={summaryRef}>
            <p>{save.message}</p>
            {save.other.length > 0 ? (
              <ul>
                {save.other.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}

        <fieldset class={serverErrors.mode ? 'field has-error' : 'field'} aria-describedby={serverErrors.mode ? 'mode-error' : undefined}>
          <legend>Mode</legend>
          <div class="radios">
            {MODES.map((mode, index) => (
              <label key={mode} class="radio">
                <input
                  type="radio"
                  name="mode"
                  value={mode}
                  checked={values.mode === mode}
                  ref={index === 0 ? refFor('mode') : undefined}
                  onChange={() => update('mode', mode)}
                />
                {MODE_LABELS[mode]}
              </label>
            ))}
          </div>
          {serverErrors.mode ? (
            <p id="mode-error" class="field-error">
              {serverErrors.mode}
            </p>
          ) : null}
        </fieldset>

        {values.mode === 'off' ? (
          <p class="muted">Visitor sign-in is off: secure tools refuse every request with config-incomplete.</p>
        ) : null}

        {values.mode === 'jwks' ? (
          <TextField
            id="jwksUrl"
            label="JWKS URL"
            type="url"
            value={values.jwksUrl}
            onInput={(value) => update('jwksUrl', value)}
            error={errorOf('jwksUrl')}
            placeholder="https://YOUR_DOMAIN.auth0.com/.well-known/jwks.json"
            hint="Your identity provider's public keys: a JWKS, or Firebase's x509 JSON. https://, or http:// on localhost."
            inputRef={refFor('jwksUrl')}
          />
        ) : null}

        {values.mode === 'hmac' || revealedSecret !== null ? (
          <fieldset class="field">
            <legend>HMAC shared secret</legend>
            <HmacSecret
              api={api}
              secretSet={view.hmacSecretSet}
              secret={revealedSecret}
              onSecretChange={setRevealedSecret}
              onGenerated={onSecretGenerated}
              onApiError={onApiError}
            />
          </fieldset>
        ) : null}

        {values.mode !== 'off' ? (
          <div class="pair">
            <TextField
              id="issuer"
              label="Issuer (optional)"
              value={values.issuer}
              onInput={(value) => update('issuer', value)}
              error={errorOf('issuer')}
              hint="When set, the token's iss must equal it."
              inputRef={refFor('issuer')}
            />
            <TextField
              id="audience"
              label="Audience (optional)"
              value={values.audience}
              onInput={(value) => update('audience', value)}
              error={errorOf('audience')}
              hint="When set, the token's aud must be or contain it."
              inputRef={refFor('audience')}
            />
          </div>
        ) : null}

        <TextField
          id="claimMapping"
          label="Claim mapping (JSON, optional)"
          multiline
          rows={5}
          monospace
          value={values.claimMapping}
          onInput={(value) => update('claimMapping', value)}
          error={errorOf('claimMapping')}
          placeholder={'e.g. { "userId": "sub", "email": "email" }'}
          hint='{ "outputName": "claimName" }. Empty: every claim except iss/sub/aud/exp/iat/nbf/jti is passed on. userId is always sub.'
          inputRef={refFor('claimMapping')}
        />

        <TextField
          id="signInUrl"
          label="Sign-in URL (optional)"
          type="url"
          value={values.signInUrl}
          onInput={(value) => update('signInUrl', value)}
          error={errorOf('signInUrl')}
          placeholder="https://www.example.com/quincer-sign-in"
          hint="The widget opens it in a popup when a secure tool needs a signed-in visitor."
          inputRef={refFor('signInUrl')}
        />

        <TextField
          id="allowedOrigins"
          label="Allowed site origins"
          multiline
          rows={3}
          monospace
          value={values.allowedOrigins}
          onInput={(value) => update('allowedOrigins', value)}
          error={errorOf('allowedOrigins')}
          placeholder="https://www.example.com"
          hint="One origin per line (scheme, host and port; no path). Pages on these origins may call the chat endpoints."
          inputRef={refFor('allowedOrigins')}
        />

        <div class="actions">
          <button type="submit" class="primary" disabled={save.kind === 'saving'}>
            {save.kind === 'saving' ? 'Saving…' : 'Save'}
          </button>
          <p class="status" role="status">
            {save.kind === 'saved' ? 'Saved.' : ''}
          </p>
        </div>
      </form>
    </section>
  );
}
