/**
 * The customer's sign-in page side of the popup flow (SPEC §2.6): post
 * `{ type: 'quincer-identify', token, state }` to `window.opener`, echoing the
 * widget's `quincer_state`, with an explicit target origin (never '*'), then
 * close the popup.
 *
 * Target origin: the opener is on another origin, so this page cannot read
 * where it is. The message is posted once to each allowed origin, each with
 * that exact origin as targetOrigin; the browser delivers it only when the
 * opener's current origin matches, and drops the others silently. A page
 * that opened the Sign-in URL from anywhere else receives nothing.
 */
import { IDENTIFY_MESSAGE_TYPE, STATE_QUERY_PARAM, type IdentifyMessage } from '../protocol/signin.js';
import { isCompactJws } from '../protocol/jws.js';

export interface PostTokenOptions {
  /** The visitor token (a compact JWS) your backend issued for the signed-in user. */
  token: string;
  /**
   * Exact origins of the pages that embed the chat widget, e.g.
   * `['https://www.example.com']` — scheme, host and port only, no path, no
   * trailing slash, no '*'.
   */
  allowedOrigins: readonly string[];
  /**
   * The widget's state to echo. Default: the `quincer_state` query parameter
   * of this page's URL (see readWidgetState). Pass it yourself when your
   * login redirects away and back and the parameter is lost on the way.
   */
  state?: string | null;
  /** Close this window after posting. Default true. */
  closeWindow?: boolean;
  /**
   * Where to tell the visitor what went wrong. Default: a paragraph appended
   * to document.body. null: show nothing (use the result's message yourself).
   */
  messageElement?: Element | null;
  /** Injectable for tests; default globalThis.window. */
  window?: Window;
}

export type PostTokenCode = 'posted' | 'no-opener' | 'invalid-token' | 'invalid-origin';

export type PostTokenResult =
  | { ok: true; code: 'posted'; stateEchoed: boolean }
  | {
      ok: false;
      code: Exclude<PostTokenCode, 'posted'>;
      /** One plain sentence for the visitor: what happened and what to do. */
      message: string;
      /** For the developer: what to fix. Never contains the token. */
      detail: string;
    };

/** The visitor-facing sentences, by code; shown as text, never as HTML. */
export const POST_TOKEN_MESSAGES: Readonly<Record<Exclude<PostTokenCode, 'posted'>, string>> = {
  'no-opener':
    'You are signed in, but this window has lost its connection to the chat. Close this window, go back to the chat and select "Sign in to continue" again.',
  'invalid-token':
    'Your sign-in could not be passed to the chat. Close this window and try again; if it keeps happening, contact the site\'s support.',
  'invalid-origin':
    'Your sign-in could not be passed to the chat because this page is not set up correctly. Close this window and contact the site\'s support.',
};

/** The message element this helper creates when none is given. */
export const MESSAGE_ELEMENT_ATTRIBUTE = 'data-quincer-signin-message';

/** The `quincer_state` the widget put on this page's URL, or null. */
export function readWidgetState(win: Window | undefined = globalThis.window): string | null {
  if (!win) return null;
  try {
    return new URL(win.location.href).searchParams.get(STATE_QUERY_PARAM);
  } catch {
    return null;
  }
}

/** Posts the token to the widget that opened this window. Never throws for a runtime outcome. */
export function postTokenToWidget(options: PostTokenOptions): PostTokenResult {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('postTokenToWidget: pass an options object with token and allowedOrigins.');
  }
  const win = options.window ?? globalThis.window;
  if (!win) {
    throw new TypeError('postTokenToWidget needs a browser window (or options.window).');
  }

  const origins = checkOrigins(options.allowedOrigins);
  if (!origins.ok) return fail(win, options, 'invalid-origin', origins.detail);

  if (!isCompactJws(options.token)) {
    return fail(
      win,
      options,
      'invalid-token',
      'token must be a compact JWS (three base64url segments), exactly as your backend issued it.',
    );
  }

  const opener = openerOf(win);
  if (!opener) {
    return fail(
      win,
      options,
      'no-opener',
      'window.opener is null: the page was opened directly, the opener was closed, or a Cross-Origin-Opener-Policy cut the link (serve the sign-in page without COOP, or with unsafe-none).',
    );
  }

  const state = options.state === undefined ? readWidgetState(win) : options.state;
  const message: IdentifyMessage =
    typeof state === 'string'
      ? { type: IDENTIFY_MESSAGE_TYPE, token: options.token, state }
      : { type: IDENTIFY_MESSAGE_TYPE, token: options.token };
  for (const origin of origins.list) {
    try {
      opener.postMessage(message, origin);
    } catch {
      // Browsers drop a message whose targetOrigin does not match the opener;
      // some environments throw instead. Either way the next origin still gets its try.
    }
  }

  if (options.closeWindow !== false) win.close();
  return { ok: true, code: 'posted', stateEchoed: typeof state === 'string' };
}

function checkOrigins(value: unknown): { ok: true; list: string[] } | { ok: false; detail: string } {
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, detail: 'allowedOrigins must be a non-empty array of origins, e.g. ["https://www.example.com"].' };
  }
  const list: string[] = [];
  for (const [index, entry] of value.entries()) {
    if (!isExactOrigin(entry)) {
      return {
        ok: false,
        detail: `allowedOrigins[${index}] must be an exact http(s) origin such as "https://www.example.com": lower-case, no path, no trailing slash, never "*".`,
      };
    }
    if (!list.includes(entry)) list.push(entry);
  }
  return { ok: true, list };
}

function isExactOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function openerOf(win: Window): Window | null {
  try {
    const opener: unknown = win.opener;
    if (!opener || opener === win) return null;
    const candidate = opener as Window;
    return candidate.closed ? null : candidate;
  } catch {
    return null;
  }
}

function fail(
  win: Window,
  options: PostTokenOptions,
  code: Exclude<PostTokenCode, 'posted'>,
  detail: string,
): PostTokenResult {
  const message = POST_TOKEN_MESSAGES[code];
  show(win, options.messageElement, message);
  return { ok: false, code, message, detail };
}

function show(win: Window, target: Element | null | undefined, message: string): void {
  if (target === null) return;
  const doc = win.document;
  let element: Element | null | undefined = target;
  if (element === undefined) {
    element = doc?.querySelector(`[${MESSAGE_ELEMENT_ATTRIBUTE}]`);
    if (!element && doc?.body) {
      element = doc.createElement('p');
      element.setAttribute(MESSAGE_ELEMENT_ATTRIBUTE, '');
      element.setAttribute('role', 'alert');
      doc.body.append(element);
    }
  }
  if (element) element.textContent = message;
}
