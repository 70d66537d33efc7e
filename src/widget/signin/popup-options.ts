/**
 * PopupSignIn's options, checked: wrong options throw a TypeError naming the
 * option. The script-tag build swaps this module for popup-options-script.ts
 * (build.mjs): there the only caller is the widget, whose own options
 * (resolveOptions) have already checked the same values.
 */
import { DEFAULT_POPUP_TIMEOUT_MS } from './timing.js';

export { DEFAULT_POPUP_TIMEOUT_MS };
/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export function checkPopupOptions(options: { signInUrl: string; timeoutMs?: number }): { signInUrl: URL; timeoutMs: number } {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('PopupSignIn: pass an options object with a signInUrl.');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_POPUP_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError('PopupSignIn: timeoutMs must be a positive number of milliseconds.');
  }
  return { signInUrl: parseSignInUrl(options.signInUrl), timeoutMs };
}

function parseSignInUrl(value: unknown): URL {
  let url: URL | null = null;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError('PopupSignIn: signInUrl must be an absolute http(s) URL, e.g. "https://example.com/sign-in".');
  }
  return url;
}
