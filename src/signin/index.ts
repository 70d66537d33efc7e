/**
 * `@quincer/chat-widget/signin`: the helper for the customer's sign-in page in
 * the popup sign-in flow. The standalone script (dist/quincer-signin.js)
 * exposes the same functions as `window.QuincerSignIn`.
 */
export {
  announceSignIn,
  postTokenToWidget,
  readWidgetState,
  POST_TOKEN_MESSAGES,
  MESSAGE_ELEMENT_ATTRIBUTE,
} from './post-token.js';
export type {
  AnnounceSignInCode,
  AnnounceSignInOptions,
  PostTokenOptions,
  PostTokenResult,
  PostTokenCode,
  PostTokenSuccessCode,
} from './post-token.js';
export { IDENTIFY_MESSAGE_TYPE, STATE_QUERY_PARAM } from '../protocol/signin.js';
export type { IdentifyMessage } from '../protocol/signin.js';
