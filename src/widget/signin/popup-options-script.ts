/**
 * The script-tag build's popup-options.ts: PopupSignIn is not public there and
 * its one caller, the widget, passes a signInUrl and signInTimeoutMs that
 * resolveOptions (or httpUrlOrNull, for the backend's config) already checked.
 */
import { DEFAULT_POPUP_TIMEOUT_MS } from './timing.js';

export { DEFAULT_POPUP_TIMEOUT_MS };

export function checkPopupOptions(options: { signInUrl: string; timeoutMs?: number }): { signInUrl: URL; timeoutMs: number } {
  return { signInUrl: new URL(options.signInUrl), timeoutMs: options.timeoutMs ?? DEFAULT_POPUP_TIMEOUT_MS };
}
