/**
 * The popup sign-in message (SPEC §2.6, pinned): the customer's sign-in page
 * posts this to `window.opener`; the widget adds `quincer_state` to the
 * Sign-in URL and accepts an echoed `state` as a tighter binding.
 */
export const IDENTIFY_MESSAGE_TYPE = 'quincer-identify';
export const STATE_QUERY_PARAM = 'quincer_state';

export interface IdentifyMessage {
  type: typeof IDENTIFY_MESSAGE_TYPE;
  token: string;
  state?: string;
}

/**
 * The sign-in relay (docs/wire-protocol.md, "Sign-in relay"): the return path
 * through the chat backend for popups whose `window.opener` a
 * Cross-Origin-Opener-Policy cut. All paths are under the widget's `apiUrl`;
 * every body is JSON; every value below is base64url without padding.
 */
export const RELAY_PATHS = {
  /** Widget → backend: `RelayRegisterRequest` → 201 `RelayRegisterResponse`. */
  register: '/v1/signin-relay/register',
  /** Sign-in page → backend, on load when it has no opener: `RelayAnnounceRequest` → 200 `RelayAnnounceResponse`. */
  announce: '/v1/signin-relay/announce',
  /** Sign-in page → backend: `RelayDeliverRequest` → 200 `RelayDeliverResponse`. */
  deliver: '/v1/signin-relay/deliver',
  /** Widget → backend (long poll): `RelayCollectRequest` → 200 `RelayCollectResponse`. */
  collect: '/v1/signin-relay/collect',
  /** Widget → backend: `RelayProofRequest` → 204. */
  cancel: '/v1/signin-relay/cancel',
} as const;

/** 32 bytes (256 bits) as base64url without padding: 43 characters. Both `state` and the relay secret. */
export const RELAY_RANDOM_CHARS = 43;
/** A state: 43–128 base64url characters (the widget makes 43, from 32 CSPRNG bytes). */
export const RELAY_STATE_PATTERN = /^[A-Za-z0-9_-]{43,128}$/;
/** The secret and its hash: exactly 43 base64url characters. */
export const RELAY_VALUE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** The longest a collect request is held open by the backend, in seconds. */
export const RELAY_MAX_WAIT_SECONDS = 25;
/** The longest lifetime a transaction may ask for, in seconds. */
export const RELAY_MAX_TTL_SECONDS = 600;

export interface RelayRegisterRequest {
  state: string;
  /** base64url(SHA-256(ASCII(secret))), as PKCE's S256 code_challenge. */
  secretHash: string;
  /** The widget's sign-in time limit, in whole seconds; the backend keeps the transaction no longer (and at most 600 s). */
  ttlSeconds: number;
}
export interface RelayRegisterResponse {
  /** Seconds the backend keeps the transaction. */
  expiresIn: number;
}
export interface RelayAnnounceRequest {
  state: string;
}
export interface RelayAnnounceResponse {
  announced: true;
}
export interface RelayDeliverRequest {
  state: string;
  token: string;
}
export interface RelayDeliverResponse {
  delivered: true;
}
export interface RelayProofRequest {
  state: string;
  /** The 43-character secret itself (never sent anywhere but to the chat backend). */
  secret: string;
}
export interface RelayCollectRequest extends RelayProofRequest {
  /** How long the backend may hold the request while nothing new has happened, in seconds (≤ 25). */
  waitSeconds?: number;
  /** What the widget already knows: the backend answers at once when the sign-in page's announcement is news. */
  attached?: boolean;
}
/**
 * `token` once it has arrived (handed out this once); otherwise `token: null`
 * and whether the sign-in page has announced itself (or delivered).
 */
export type RelayCollectResponse = { token: string } | { token: null; attached: boolean };

/** The one refusal for an unknown, expired, reused or wrongly proven state (byte-identical every time). */
export const RELAY_REFUSED_CODE = 'relay-refused';

/**
 * Same-origin sign-in pages: a BroadcastChannel named `${BROADCAST_CHANNEL_PREFIX}${state}`
 * carries the same `IdentifyMessage` (with `state` required), needing no backend.
 */
export const BROADCAST_CHANNEL_PREFIX = 'quincer-signin:';

/**
 * A same-origin sign-in page announces itself on the BroadcastChannel with
 * `{ type: SIGNIN_OPEN_MESSAGE_TYPE, state }` when it has no opener, so the
 * widget keeps waiting although the popup reads closed.
 */
export const SIGNIN_OPEN_MESSAGE_TYPE = 'quincer-signin-open';
/** The widget's answer on the BroadcastChannel once it took the token: `{ type, state }`. */
export const SIGNIN_ACK_MESSAGE_TYPE = 'quincer-signin-ack';
