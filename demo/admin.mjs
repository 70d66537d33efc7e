// The demo's use of the backend's admin API (SPEC §4.2), with the admin token kept
// server-side. Switching modes keeps the demo identity provider in step.
const ADMIN_CONFIG_PATH = '/v1/admin/visitor-sign-in';

/**
 * backend(): { url, adminToken }; idp: the demo identity provider;
 * jwksConfig(): the full JWKS-mode config (the seed); the HMAC config is derived from it.
 */
export function createDemoAdmin({ backend, idp, jwksConfig }) {
  async function request(method, path, body) {
    const { url, adminToken } = backend();
    const response = await fetch(new URL(path, url), {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      const fields = json?.error?.fields ? ` (${Object.entries(json.error.fields).map(([k, v]) => `${k}: ${v}`).join('; ')})` : '';
      throw new Error(`${method} ${path} failed with ${response.status}: ${json?.error?.message ?? 'no message'}${fields}`);
    }
    return json;
  }

  return {
    request,
    getConfig: () => request('GET', ADMIN_CONFIG_PATH),
    putConfig: (config) => request('PUT', ADMIN_CONFIG_PATH, config),
    /** JWKS mode with the demo identity provider's keys. */
    async switchToJwks() {
      // null removes a stored HMAC secret: JWKS mode does not need it.
      await request('PUT', ADMIN_CONFIG_PATH, { ...jwksConfig(), hmacSecret: null });
      idp.useJwks();
    },
    /** Generate a secret (shown this once), save HMAC mode, and have the IdP sign HS256 with it. */
    async switchToHmac() {
      const generated = await request('POST', `${ADMIN_CONFIG_PATH}/hmac-secret`);
      const secret = generated.hmacSecret;
      if (typeof secret !== 'string') throw new Error('The hmac-secret endpoint returned no secret.');
      const { jwksUrl: _unused, ...rest } = jwksConfig();
      await request('PUT', ADMIN_CONFIG_PATH, { ...rest, mode: 'hmac', hmacSecret: secret });
      idp.useHmac(secret);
    },
    /** The Test card: verify a token, optionally forcing a JWKS re-pull first. */
    testToken: (token, { refreshJwks = false } = {}) => request('POST', `${ADMIN_CONFIG_PATH}/test`, { token, refreshJwks }),
    keyStatus: () => request('GET', `${ADMIN_CONFIG_PATH}/key-status`),
  };
}
