/** Why a key set (or discovery document) could not be loaded: the error every fetch failure becomes. */
import type { FailureDetail, FailureReason } from '../protocol/reasons.js';

export class KeySetFetchError extends Error {
  readonly code = 'ERR_QUINCER_JWKS_FETCH_FAILED';
  /** The refusal to report when it is more specific than jwks-unavailable. */
  failure: { reason: FailureReason; detail: FailureDetail; message: string } | undefined;
  /** The specific cause, for the operator's log only, when `message` had to stay generic. */
  logMessage: string;
  constructor(message: string, options?: { cause?: unknown; detail?: FailureDetail }) {
    super(message, options);
    this.name = 'KeySetFetchError';
    this.logMessage = message;
    this.failure = options?.detail ? { reason: 'jwks-fetch-failed', detail: options.detail, message } : undefined;
  }
}
