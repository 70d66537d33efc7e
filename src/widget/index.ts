/**
 * ESM entry (dist/index.js): `createChatWidget(options)` for apps that own
 * the instance, and `ChatWidget`, a singleton-friendly API with the same
 * methods as the script tag's global.
 */
import { createChatWidgetApi } from './api.js';

export { createChatWidget } from './widget.js';
export type { ChatWidgetInstance, ChatWidgetMethods, SendResult } from './widget.js';
export { createChatWidgetApi, API_METHODS } from './api.js';
export type { ChatWidgetApi } from './api.js';
export { WidgetError } from './errors.js';
export { PopupSignIn } from './signin/popup-sign-in.js';
export type { PopupSignInOptions, PopupOutcome } from './signin/popup-sign-in.js';
export type { WidgetErrorCode } from './errors.js';
export type { IdentifyInput, TokenProvider } from './auth.js';
export type {
  ChatWidgetOptions,
  ColorScheme,
  Persist,
  Position,
  WidgetTheme,
  WidgetStringsInput,
} from './options.js';
export type { WidgetStrings } from './strings.js';
export { DEFAULT_STRINGS } from './strings.js';
export { EVENT_NAMES } from './events.js';
export type { WidgetEvents, WidgetEventName, WidgetMessage, SignInEvent, WidgetErrorEvent } from './events.js';

/** The default widget: `ChatWidget.init({ apiUrl })`, then identify, send, on… */
export const ChatWidget = /* @__PURE__ */ createChatWidgetApi();
export default ChatWidget;
