/**
 * The Visitor sign-in settings: mode, the mode's fields, claim mapping (checked
 * as you type), Sign-in URL and allowed site origins. Save sends everything but
 * the secret; the server's per-field errors are shown at their fields and the
 * first one gets the focus.
 */
import { useRef, useState } from 'preact/hooks';
import type { AdminApi, ApiError, AdminConfigView, VisitorSignInMode } from '../api.js';
import { COGNITO_TOKEN_USES, PROVIDER_LABELS, PROVIDERS, type CognitoTokenUse, type IdentityProvider } from '../../protocol/providers.js';
import {
  FIELD_ORDER,
  MODE_LABELS,
  PROVIDER_FIELDS,
  buildUpdate,
  derivedFor,
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

const TOKEN_USE_LABELS: Readonly<Record<CognitoTokenUse, string>> = {
  id: 'ID tokens (token_use "id"; aud = app client id)',
  access: 'Access tokens (token_use "access"; client_id = app client id; no email)',
  both: 'Both',
};

/** Where each provider's console shows the values to copy (docs/identity-providers.md has the details). */
const PROVIDER_HINTS: Readonly<Record<IdentityProvider, string>> = {
  custom: 'Type the JWKS URL, Issuer and Audience yourself.',
  auth0: 'Auth0 dashboard → Settings → Domain, and APIs → your API → Identifier (the audience your page requests).',
  cognito: 'Cognito → User pools → your pool: the User pool ID, and App integration → App clients → Client ID.',
  clerk: 'Clerk dashboard → API keys → Frontend API URL; list your site origins as authorized parties. Session tokens live 60 s: give the widget a refresh provider.',
  firebase: 'Firebase console → Project settings → General → Project ID. Issuer and Audience are derived from it and always enforced.',
  oidc: 'Your provider\'s issuer URL: the keys are found through <issuer>/.well-known/openid-configuration (its jwks_uri).',
};

export function ConfigForm({ api, view, onSaved, onSecretGenerated, onApiError }: ConfigFormProps) {
  const [values, setValues] = useState<FormValues>(() => valuesFromView(view));
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [revealedSecret, setRevealedSecret] = useState<string | null>(null);
  const fieldRefs = useRef<Partial<Record<FieldName, HTMLElement | null>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);

  const liveMappingProblem = claimMappingProblem(values.claimMapping);
  const provider: IdentityProvider = values.mode === 'jwks' ? values.provider : 'custom';
  const shows = (field: FieldName): boolean =>
    values.mode === 'jwks' ? PROVIDER_FIELDS[provider].includes(field) : values.mode === 'hmac' && (field === 'issuer' || field === 'audience');
  const derived = derivedFor(values);
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
          <div class={errorOf('provider') ? 'field has-error' : 'field'}>
            <label for="provider">Identity provider</label>
            <select
              id="provider"
              name="provider"
              class="input"
              value={values.provider}
              aria-describedby={errorOf('provider') ? 'provider-error provider-hint' : 'provider-hint'}
              ref={refFor('provider')}
              onChange={(event) => update('provider', (event.currentTarget as HTMLSelectElement).value as IdentityProvider)}
            >
              {PROVIDERS.map((provider) => (
                <option key={provider} value={provider}>
                  {PROVIDER_LABELS[provider]}
                </option>
              ))}
            </select>
            {errorOf('provider') ? (
              <p id="provider-error" class="field-error">
                {errorOf('provider')}
              </p>
            ) : null}
            <p id="provider-hint" class="hint">
              {PROVIDER_HINTS[values.provider]}
            </p>
          </div>
        ) : null}

        {shows('auth0Domain') ? (
          <TextField id="auth0Domain" label="Auth0 domain" value={values.auth0Domain} onInput={(value) => update('auth0Domain', value)} error={errorOf('auth0Domain')} placeholder="acme.eu.auth0.com" hint="Your tenant domain, or your custom domain." inputRef={refFor('auth0Domain')} />
        ) : null}
        {shows('cognitoUserPoolId') ? (
          <TextField id="cognitoUserPoolId" label="User pool ID" value={values.cognitoUserPoolId} onInput={(value) => update('cognitoUserPoolId', value)} error={errorOf('cognitoUserPoolId')} placeholder="eu-west-1_AbC123xyz" hint="The region is its prefix." inputRef={refFor('cognitoUserPoolId')} />
        ) : null}
        {shows('clerkFrontendApiUrl') ? (
          <TextField id="clerkFrontendApiUrl" label="Frontend API URL" type="url" value={values.clerkFrontendApiUrl} onInput={(value) => update('clerkFrontendApiUrl', value)} error={errorOf('clerkFrontendApiUrl')} placeholder="https://your-app.clerk.accounts.dev" inputRef={refFor('clerkFrontendApiUrl')} />
        ) : null}
        {shows('firebaseProjectId') ? (
          <TextField id="firebaseProjectId" label="Firebase project ID" value={values.firebaseProjectId} onInput={(value) => update('firebaseProjectId', value)} error={errorOf('firebaseProjectId')} placeholder="acme-shop-1a2b3" inputRef={refFor('firebaseProjectId')} />
        ) : null}

        {shows('jwksUrl') ? (
          <TextField
            id="jwksUrl"
            label="JWKS URL"
            type="url"
            value={values.jwksUrl}
            onInput={(value) => update('jwksUrl', value)}
            error={errorOf('jwksUrl')}
            placeholder="https://YOUR_DOMAIN.auth0.com/.well-known/jwks.json"
            hint="Your identity provider's public keys: a JWKS, or Firebase's x509 JSON. https://, or http:// on localhost. Not the discovery document: for that, pick OpenID Connect."
            inputRef={refFor('jwksUrl')}
          />
        ) : null}

        {derived ? (
          <dl class="facts derived" data-testid="derived">
            <dt>JWKS URL (derived)</dt>
            <dd class="mono">{derived.jwksUrl}</dd>
            <dt>Issuer (derived)</dt>
            <dd class="mono">{derived.issuer}</dd>
            {derived.audience ? (
              <>
                <dt>Audience (derived)</dt>
                <dd class="mono">{derived.audience.join(', ')}</dd>
              </>
            ) : null}
          </dl>
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

        {shows('issuer') || shows('audience') ? (
          <div class="pair">
            {shows('issuer') ? (
              <TextField
                id="issuer"
                label={provider === 'oidc' ? 'Issuer' : 'Issuer (optional)'}
                value={values.issuer}
                onInput={(value) => update('issuer', value)}
                error={errorOf('issuer')}
                hint={provider === 'oidc' ? 'Exactly as your provider shows it; the discovery document must name the same issuer.' : "When set, the token's iss must equal it exactly (mind the trailing slash)."}
                inputRef={refFor('issuer')}
              />
            ) : null}
            {shows('audience') ? (
              <TextField
                id="audience"
                label={provider === 'cognito' ? 'App client ID(s)' : 'Audience (optional)'}
                multiline
                rows={2}
                value={values.audience}
                onInput={(value) => update('audience', value)}
                error={errorOf('audience')}
                hint={
                  provider === 'cognito'
                    ? 'One per line: checked against aud of ID tokens and client_id of access tokens.'
                    : `${provider === 'auth0' ? 'Your API identifier. ' : ''}One per line; the token's aud must hold at least one. Recommended: left empty, any application of your tenant can sign visitors in.`
                }
                inputRef={refFor('audience')}
              />
            ) : null}
          </div>
        ) : null}

        {shows('authorizedParties') ? (
          <TextField id="authorizedParties" label="Authorized parties (azp)" multiline rows={2} monospace value={values.authorizedParties} onInput={(value) => update('authorizedParties', value)} error={errorOf('authorizedParties')} placeholder="https://www.example.com" hint="Your site origins, one per line: the token's azp must be one of them." inputRef={refFor('authorizedParties')} />
        ) : null}

        {shows('cognitoTokenUse') ? (
          <div class="field">
            <label for="cognitoTokenUse">Accepted tokens</label>
            <select id="cognitoTokenUse" name="cognitoTokenUse" class="input" value={values.cognitoTokenUse} ref={refFor('cognitoTokenUse')} onChange={(event) => update('cognitoTokenUse', (event.currentTarget as HTMLSelectElement).value as CognitoTokenUse)}>
              {COGNITO_TOKEN_USES.map((use) => (
                <option key={use} value={use}>
                  {TOKEN_USE_LABELS[use]}
                </option>
              ))}
            </select>
          </div>
        ) : null}

        {view.warnings.length > 0 ? (
          <div class="warning" role="status" data-testid="config-warnings">
            <p>The saved settings work, but:</p>
            <ul>
              {view.warnings.map((warning) => (
                <li key={warning.code} data-code={warning.code}>
                  {warning.message}
                </li>
              ))}
            </ul>
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
