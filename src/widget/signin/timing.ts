/** Overall time limit of one sign-in transaction when none is given. */
export const DEFAULT_POPUP_TIMEOUT_MS = 120_000;
/** How often the popup's `closed` is polled. */
export const POPUP_CLOSED_POLL_MS = 500;
/**
 * How long a closed popup still counts: a sign-in page that posts and then
 * calls window.close() must win against the poll that sees it closed.
 */
export const POPUP_CLOSED_GRACE_MS = 1_000;
/**
 * With a relay or BroadcastChannel watching, a popup that reads closed may be
 * one a Cross-Origin-Opener-Policy cut off rather than one the visitor closed:
 * the sign-in page gets this long to announce itself on a side channel
 * (QuincerSignIn.announceSignIn) before the widget reports signin-cancelled.
 */
export const POPUP_ANNOUNCE_GRACE_MS = 5_000;
