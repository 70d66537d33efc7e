/**
 * The customer's sign-in page side of the popup flow (SPEC §2.6, issue 12):
 * post `{ type: 'quincer-identify', token, state }` to `window.opener`, echoing
 * the widget's `quincer_state`, with an explicit target origin (never '*'),
 * then close the popup. When a Cross-Origin-Opener-Policy cut window.opener,
 * the token goes back through the chat backend's relay (`relayUrl`) and, for a
 * sign-in page on the widget's own origin, a BroadcastChannel (channels.ts).
 *
 * Target origin: the opener is on another origin, so this page cannot read
 * where it is. The message is posted once to each allowed origin, each with
 * that exact origin as targetOrigin; the browser delivers it only when the
 * opener's current origin matches, and drops the others silently. A page
 * that opened the Sign-in URL from anywhere else receives nothing.
 */
import { IDENTIFY_MESSAGE_TYPE, STATE_QUERY_PARAM, type IdentifyMessage } from '../protocol/signin.js';
import { isCompactJws } from '../protocol/jws.js';
import { announceByBroadcast, announceToRelay, deliverByBroadcast, deliverToRelay, type RelayOutcome } from './channels.js';

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
  /**
   * The chat backend's base URL (the same value as the widget's `apiUrl`),
   * whose sign-in relay carries the token when a Cross-Origin-Opener-Policy
   * cut window.opener. Configure it here, on the sign-in page: never take it
   * from the query string. Default: no relay.
   */
  relayUrl?: string | null;
  /** Injectable for tests; default globalThis.window. */
  window?: Window;
}

export type PostTokenCode =
  | 'posted'
  | 'relayed'
  | 'broadcast'
  | 'no-opener'
  | 'relay-refused'
  | 'relay-unreachable'
  | 'invalid-token'
  | 'invalid-origin'
  | 'invalid-relay-url';

/** The codes of a delivered token: which channel took it. */
export type PostTokenSuccessCode = 'posted' | 'relayed' | 'broadcast';

export type PostTokenResult =
  | { ok: true; code: PostTokenSuccessCode; stateEchoed: boolean }
  | {
      ok: false;
      code: Exclude<PostTokenCode, PostTokenSuccessCode>;
      /** One plain sentence for the visitor: what happened and what to do. */
      message: string;
      /** For the developer: what to fix. Never contains the token. */
      detail: string;
    };

/** The visitor-facing sentences, by code; shown as text, never as HTML. */
export const POST_TOKEN_MESSAGES: Readonly<Record<Exclude<PostTokenCode, 'posted'>, string>> = {
  relayed: 'You are signed in. Go back to the chat: it continues there. You can close this window.',
  broadcast: 'You are signed in. Go back to the chat: it continues there. You can close this window.',
  'no-opener':
    'You are signed in, but this window has lost its connection to the chat. Close this window, go back to the chat and select "Sign in to continue" again.',
  'relay-refused':
    'You are signed in, but the chat no longer waits for this window (it was cancelled or took too long). Close this window, go back to the chat and select "Sign in to continue" again.',
  'relay-unreachable':
    'You are signed in, but the chat could not be reached. Check your connection, then close this window and select "Sign in to continue" in the chat again.',
  'invalid-relay-url':
    'Your sign-in could not be passed to the chat because this page is not set up correctly. Close this window and contact the site\'s support.',
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

/**
 * Posts the token to the widget that opened this window. With window.opener:
 * postMessage, and the result is returned at once. Without (a COOP cut it):
 * the relay and, on the widget's own origin, a BroadcastChannel; the result
 * is then a Promise. `await` works either way. Never throws for a runtime outcome.
 */
export function postTokenToWidget(options: PostTokenOptions): PostTokenResult | Promise<PostTokenResult> {
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

  const relayUrl = checkRelayUrl(options.relayUrl);
  if (relayUrl === false) {
    return fail(win, options, 'invalid-relay-url', 'relayUrl must be the chat backend\'s absolute http(s) base URL, the same value as the widget\'s apiUrl.');
  }

  const state = options.state === undefined ? readWidgetState(win) : options.state;
  const opener = openerOf(win);
  if (!opener) return postWithoutOpener(win, options, origins.list, relayUrl, state);

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

/**
 * No window.opener: the relay and the BroadcastChannel, both bound to the
 * widget's state, and the relay only when this window was opened by a page on
 * an allowed origin (see openedByAllowedOrigin).
 */
function postWithoutOpener(
  win: Window,
  options: PostTokenOptions,
  origins: readonly string[],
  relayUrl: string | null,
  state: string | null,
): PostTokenResult | Promise<PostTokenResult> {
  const broadcast = origins.includes(ownOrigin(win));
  const relay = relayUrl !== null && typeof state === 'string' && openedByAllowedOrigin(win, state, origins);
  if (typeof state !== 'string' || (!broadcast && !relay)) {
    return fail(win, options, 'no-opener', noOpenerDetail(relayUrl, state));
  }
  const token = options.token;
  const channels: Array<Promise<PostTokenCode>> = [];
  if (broadcast) channels.push(deliverByBroadcast(state, token).then((taken) => (taken ? 'broadcast' : 'no-opener')));
  if (relay) channels.push(deliverToRelay(relayUrl!, state, token));
  return firstDelivered(channels).then((code): PostTokenResult => {
    if (code === 'relayed' || code === 'broadcast') {
      show(win, options.messageElement, POST_TOKEN_MESSAGES[code]);
      if (options.closeWindow !== false) win.close();
      return { ok: true, code, stateEchoed: true };
    }
    return fail(win, options, code as Exclude<PostTokenCode, PostTokenSuccessCode>, relayDetail(code));
  });
}

/** The first channel that delivered, else the most telling failure (relay-refused > relay-unreachable > no-opener). */
function firstDelivered(channels: Array<Promise<PostTokenCode>>): Promise<PostTokenCode> {
  return new Promise((resolve) => {
    const failures: PostTokenCode[] = [];
    for (const channel of channels) {
      void channel.then((code) => {
        if (code === 'relayed' || code === 'broadcast') resolve(code);
        else if (failures.push(code) === channels.length) {
          resolve((['relay-refused', 'relay-unreachable'] as const).find((c) => failures.includes(c)) ?? 'no-opener');
        }
      });
    }
  });
}

function noOpenerDetail(relayUrl: string | null, state: string | null): string {
  if (typeof state !== 'string') return 'window.opener is null and this page has no quincer_state: it was opened directly, not by the widget.';
  if (relayUrl === null) {
    return 'window.opener is null (a Cross-Origin-Opener-Policy cut it, or the opener was closed): pass relayUrl (the widget\'s apiUrl) so the token can go back through the chat backend.';
  }
  return 'window.opener is null and the page that opened this window is not on an allowed origin (document.referrer), so the token is not relayed; if your sign-in redirects, call announceSignIn() on its first page.';
}

function relayDetail(code: PostTokenCode): string {
  if (code === 'relay-refused') return 'The chat backend refused the relayed token: the widget cancelled, the sign-in took longer than its time limit, or the Sign-in URL configured in the backend is not on this page\'s origin.';
  if (code === 'relay-unreachable') return 'The chat backend at relayUrl could not be reached (network, CORS or a wrong relayUrl).';
  return 'No widget on this origin took the token over BroadcastChannel, and no relay is configured.';
}

function checkRelayUrl(value: unknown): string | null | false {
  if (value === undefined || value === null) return null;
  try {
    const url = typeof value === 'string' ? new URL(value) : null;
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href.replace(/\/+$/, '');
  } catch {
    // Falls through to false.
  }
  return false;
}

function ownOrigin(win: Window): string {
  try {
    return new URL(win.location.href).origin;
  } catch {
    return 'null';
  }
}

const OPENER_KEY_PREFIX = 'quincer-signin-opener:';

/**
 * The relay's binding to the widget's page: without window.opener, nothing
 * in the browser says who opened this window except document.referrer, which
 * a page cannot forge. A site that opens the Sign-in URL itself (with a state
 * it registered at the relay) must not receive the visitor's token, so the
 * relay is used only when the referrer's origin is an allowed origin — or
 * was, on an earlier page of this window (announceSignIn records it in
 * sessionStorage, so a login that redirects through an identity provider keeps it).
 */
function openedByAllowedOrigin(win: Window, state: string, origins: readonly string[]): boolean {
  const key = OPENER_KEY_PREFIX + state;
  try {
    if (win.sessionStorage?.getItem(key) === '1') return true;
  } catch {
    // Storage blocked: the referrer alone decides.
  }
  let referrer = 'null';
  try {
    referrer = new URL(win.document.referrer).origin;
  } catch {
    return false;
  }
  if (!origins.includes(referrer)) return false;
  try {
    win.sessionStorage?.setItem(key, '1');
  } catch {
    // Not remembered; the referrer check still passed.
  }
  return true;
}

export interface AnnounceSignInOptions {
  /** The same exact origins as postTokenToWidget's. */
  allowedOrigins: readonly string[];
  /** The chat backend's base URL (the widget's apiUrl); see PostTokenOptions.relayUrl. */
  relayUrl?: string | null;
  /** Default: the quincer_state query parameter. */
  state?: string | null;
  window?: Window;
}

export type AnnounceSignInCode = 'opener' | 'announced' | 'not-announced';

/**
 * Call as soon as the sign-in page loads (before the visitor types anything).
 * With window.opener it does nothing ('opener'). Without — a
 * Cross-Origin-Opener-Policy cut it, so the widget's popup reads closed — it
 * tells the widget through the relay (and BroadcastChannel on the widget's own
 * origin) that this page is open, so the widget keeps waiting instead of
 * reporting the sign-in as cancelled; and it remembers for this window that
 * it was opened from an allowed origin. Never throws for a runtime outcome.
 */
export async function announceSignIn(options: AnnounceSignInOptions): Promise<AnnounceSignInCode> {
  const win = options?.window ?? globalThis.window;
  if (!win) throw new TypeError('announceSignIn needs a browser window (or options.window).');
  const origins = checkOrigins(options.allowedOrigins);
  if (!origins.ok) throw new TypeError(`announceSignIn: ${origins.detail}`);
  const relayUrl = checkRelayUrl(options.relayUrl);
  if (relayUrl === false) throw new TypeError('announceSignIn: relayUrl must be the chat backend\'s absolute http(s) base URL.');
  if (openerOf(win)) return 'opener';
  const state = options.state === undefined ? readWidgetState(win) : options.state;
  if (typeof state !== 'string') return 'not-announced';
  let announced = false;
  if (origins.list.includes(ownOrigin(win))) {
    announceByBroadcast(state);
    announced = true;
  }
  if (relayUrl !== null && openedByAllowedOrigin(win, state, origins.list)) {
    announced = (await announceToRelay(relayUrl, state)) === 'relayed' || announced;
  }
  return announced ? 'announced' : 'not-announced';
}

export type { RelayOutcome };

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
  code: Exclude<PostTokenCode, PostTokenSuccessCode>,
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
