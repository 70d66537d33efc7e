/**
 * The pasted token's header and lifetime, decoded without verification for
 * display only, with the "don't issue 1-year tokens" warning.
 */
import { derivePreset } from '../../protocol/providers.js';
import type { AdminConfigView } from '../api.js';
import { formatDuration, inspectToken, MAX_RECOMMENDED_LIFETIME_SECONDS } from '../token-info.js';

/** What the saved settings enforce, presets derived, for the side-by-side comparison. */
function configured(view: AdminConfigView | undefined) {
  if (!view) return null;
  const derivation = view.mode === 'jwks' ? derivePreset(view) : null;
  const derived = derivation?.ok ? derivation.derived : null;
  const audience = derived?.audience ?? (view.audience === null ? null : Array.isArray(view.audience) ? view.audience : [view.audience]);
  return {
    issuer: derived?.issuer ?? view.issuer,
    audience,
    authorizedParties: view.authorizedParties,
    tokenUse: view.provider === 'cognito' && view.mode === 'jwks' ? (view.cognitoTokenUse ?? 'id') : null,
  };
}

const list = (values: readonly string[] | null | undefined): string => (values && values.length > 0 ? values.join(', ') : '(not set)');

export function TokenDetails({ token, nowMs, view }: { token: string; nowMs: number; view?: AdminConfigView }) {
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
  const { info } = inspection;
  const { alg, kid, typ, iat, exp, lifetimeSeconds } = info;
  const checks = configured(view);
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
      <table class="compare" data-testid="claims-compare">
        <caption>The token's claims beside the saved settings</caption>
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">In the token</th>
            <th scope="col">Setting</th>
          </tr>
        </thead>
        <tbody>
          <tr data-claim="iss">
            <th scope="row">iss</th>
            <td class="mono">{info.iss ?? '(none)'}</td>
            <td class="mono">Issuer: {checks?.issuer ?? '(not set)'}</td>
          </tr>
          <tr data-claim="aud">
            <th scope="row">aud</th>
            <td class="mono">{info.aud ? list(info.aud) : '(none)'}</td>
            <td class="mono">Audience: {list(checks?.audience)}</td>
          </tr>
          <tr data-claim="azp">
            <th scope="row">azp / client_id</th>
            <td class="mono">{[info.azp, info.clientId].filter((value) => value !== null).join(' / ') || '(none)'}</td>
            <td class="mono">Authorized parties: {list(checks?.authorizedParties)}</td>
          </tr>
          <tr data-claim="token_use">
            <th scope="row">token_use</th>
            <td class="mono">{info.tokenUse ?? '(none)'}</td>
            <td class="mono">{checks?.tokenUse ? `Accepted: ${checks.tokenUse}` : '(not checked)'}</td>
          </tr>
          <tr data-claim="sub">
            <th scope="row">sub</th>
            <td class="mono">{info.sub ?? '(none)'}</td>
            <td class="mono">becomes userId</td>
          </tr>
        </tbody>
      </table>
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
