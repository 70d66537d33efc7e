export type PopupOutcome =
  | { status: 'complete'; token: string }
  /** The visitor closed the popup (after the grace period), with no side channel still able to deliver. */
  | { status: 'cancelled' }
  /** The visitor pressed the widget's own Cancel control. */
  | { status: 'dismissed' }
  | { status: 'timeout' }
  /** dispose() was called (logout, destroy). */
  | { status: 'aborted' };
