/**
 * The admin token lives in sessionStorage only: it survives a reload of this
 * tab, dies with the tab, and never goes into a URL, localStorage or a cookie.
 */
const KEY = 'quincer-admin-token';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage disabled by the browser: the token then lives in memory for this page only.
    return null;
  }
}

export function loadAdminToken(): string | null {
  const value = storage()?.getItem(KEY);
  return value ? value : null;
}

export function saveAdminToken(token: string): void {
  storage()?.setItem(KEY, token);
}

export function forgetAdminToken(): void {
  storage()?.removeItem(KEY);
}
