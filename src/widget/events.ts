import type { AnswerReply, RefusalReply } from '../protocol/chat.js';
import type { RefusalReason } from '../protocol/reasons.js';

/** A message as the `message` event reports it. Never contains a token. */
export type WidgetMessage =
  | { role: 'visitor'; id: string; text: string }
  | { role: 'assistant'; id: string; reply: AnswerReply | RefusalReply };

export interface SignInEvent {
  /** The refusal reason that asked for sign-in. */
  reason: RefusalReason;
  /** The tool that was refused. */
  tool: string;
}

export interface WidgetErrorEvent {
  /** Stable code: 'network', 'refresh-failed', 'signin-timeout', or the backend's error code. */
  code: string;
  message: string;
}

/** Every event of the widget and its payload (`on(event, handler)`). */
export interface WidgetEvents {
  ready: () => void;
  open: () => void;
  close: () => void;
  message: (message: WidgetMessage) => void;
  identify: (detail: { source: 'identify' | 'refresh' | 'signin'; refreshable: boolean }) => void;
  /** `local`: this widget's logout(); `other-tab`: logout() in another tab of this site with the same apiUrl. */
  logout: (detail: { source: 'local' | 'other-tab' }) => void;
  /** The conversation on screen was removed and a fresh one starts: identify() brought a visitor who may not read it (here or in another tab). */
  'conversation-reset': (detail: { reason: 'identity-changed' }) => void;
  'signin-required': (detail: SignInEvent) => void;
  'signin-complete': () => void;
  /** cancelled: the visitor closed the popup; dismissed: the visitor pressed the widget's Cancel; timeout: the time limit ended it. */
  'signin-cancelled': (detail: { reason: 'cancelled' | 'dismissed' | 'timeout' }) => void;
  'signin-blocked': (detail: SignInEvent) => void;
  error: (error: WidgetErrorEvent) => void;
}

export type WidgetEventName = keyof WidgetEvents;

export const EVENT_NAMES: readonly WidgetEventName[] = [
  'ready', 'open', 'close', 'message', 'identify', 'logout', 'conversation-reset',
  'signin-required', 'signin-complete', 'signin-cancelled', 'signin-blocked', 'error',
];
