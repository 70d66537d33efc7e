import type { RefusalReason } from '../protocol/reasons.js';

/** Every visible (and screen-reader) string of the widget; each one overridable via `strings`. */
export interface WidgetStrings {
  title: string;
  launcherOpen: string;
  launcherClose: string;
  close: string;
  inputLabel: string;
  placeholder: string;
  send: string;
  empty: string;
  you: string;
  assistant: string;
  typing: string;
  retry: string;
  sendFailed: string;
  /** The backend refused for too many messages (429); `{seconds}` is replaced by its Retry-After. */
  rateLimited: string;
  signIn: string;
  signInPending: string;
  /** The Cancel control beside a pending sign-in. */
  signInCancel: string;
  signInCancelled: string;
  signInTimeout: string;
  signInUnavailable: string;
  /** What each refusal reason means for the visitor, in plain words. */
  reasons: Record<RefusalReason, string>;
}

export const DEFAULT_STRINGS: WidgetStrings = {
  title: 'Chat with us',
  launcherOpen: 'Open chat',
  launcherClose: 'Close chat',
  close: 'Close',
  inputLabel: 'Your message',
  placeholder: 'Type a message…',
  send: 'Send',
  empty: 'Ask us anything.',
  you: 'You',
  assistant: 'Assistant',
  typing: 'Typing…',
  retry: 'Retry',
  sendFailed: 'Not sent: check your connection, then retry.',
  rateLimited: 'Too many messages — try again in {seconds} seconds.',
  signIn: 'Sign in to continue',
  signInPending: 'Finish signing in in the window that opened.',
  signInCancel: 'Cancel',
  signInCancelled: 'Sign-in was cancelled. Sign in to continue when you are ready.',
  signInTimeout: 'Sign-in timed out. Please try again.',
  signInUnavailable: 'Sign in on this site first, then ask again.',
  reasons: {
    'missing-token': 'You need to be signed in for this.',
    expired: 'Your sign-in has expired. Please sign in again.',
    'bad-signature': 'We could not confirm your sign-in. Please sign in again.',
    'malformed-token': 'We could not read your sign-in. Please sign in again.',
    'bad-claim': 'Your account cannot be used for this here. Please contact the site owner.',
    'missing-claim': 'Your account lacks details this needs. Please contact the site owner.',
    'config-incomplete': 'Sign-in is not set up on this site yet. Please contact the site owner.',
    'jwks-fetch-failed': 'We cannot check sign-ins right now. Please try again later.',
  },
};
