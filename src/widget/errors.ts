/**
 * Programmer mistakes throw a WidgetError (or TypeError for options) whose
 * `code` is stable; runtime outcomes are results, never throws (STYLE §2).
 * Messages say what to fix and never contain a token.
 */
export type WidgetErrorCode =
  | 'invalid-token'
  | 'invalid-argument'
  | 'not-initialized'
  | 'already-initialized'
  | 'destroyed';

export class WidgetError extends Error {
  readonly code: WidgetErrorCode;
  constructor(code: WidgetErrorCode, message: string) {
    super(message);
    // Written out: constructor.name is minified away.
    this.name = 'WidgetError';
    this.code = code;
  }
}
