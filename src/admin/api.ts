/**
 * The admin API as the config page uses it: every call carries the admin token
 * as `Authorization: Bearer`, and every outcome is a result, never a throw, so
 * components only branch on `ok`.
 */
import type { ApiErrorBody } from '../protocol/chat.js';
import {
  ADMIN_API,
  type AdminConfigUpdate,
  type AdminConfigView,
  type GeneratedSecretResponse,
  type KeyStatus,
  type TestTokenResponse,
  type VisitorSignInMode,
} from '../protocol/admin.js';

export { ADMIN_API };
export type { AdminConfigUpdate, AdminConfigView, GeneratedSecretResponse, KeyStatus, TestTokenResponse, VisitorSignInMode };

export type ApiError = ApiErrorBody['error'] & { status: number };
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface AdminApi {
  getConfig(): Promise<ApiResult<AdminConfigView>>;
  putConfig(update: AdminConfigUpdate): Promise<ApiResult<AdminConfigView>>;
  generateSecret(): Promise<ApiResult<GeneratedSecretResponse>>;
  testToken(token: string, refreshJwks: boolean): Promise<ApiResult<TestTokenResponse>>;
  keyStatus(): Promise<ApiResult<KeyStatus>>;
}

export function createAdminApi(adminToken: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): AdminApi {
  async function call<T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${adminToken}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method,
        headers,
        cache: 'no-store',
        credentials: 'omit',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      return failure(0, 'network-error', 'The server could not be reached; check that it is running and try again.');
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      return failure(response.status, 'invalid-response', `The server answered ${response.status} without JSON; check the server log.`);
    }
    if (response.ok) return { ok: true, value: parsed as T };
    const error = (parsed as Partial<ApiErrorBody>).error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return { ok: false, error: { ...error, status: response.status } };
    }
    return failure(response.status, 'invalid-response', `The server answered ${response.status}; check the server log.`);
  }

  return {
    getConfig: () => call('GET', ADMIN_API.config),
    putConfig: (update) => call('PUT', ADMIN_API.config, update),
    generateSecret: () => call('POST', ADMIN_API.hmacSecret),
    testToken: (token, refreshJwks) => call('POST', ADMIN_API.test, refreshJwks ? { token, refreshJwks: true } : { token }),
    keyStatus: () => call('GET', ADMIN_API.keyStatus),
  };
}

function failure(status: number, code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { status, code, message } };
}
