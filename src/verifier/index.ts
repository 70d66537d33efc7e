/** The visitor-token verifier (SPEC §3): public API. */
export { createVisitorVerifier, JWKS_ALGORITHMS, HMAC_ALGORITHMS, CLOCK_TOLERANCE_SECONDS } from './verifier.js';
export { validateVisitorSignInConfig, MIN_HMAC_SECRET_CHARS } from './config.js';
export type { ConfigValidation } from './config.js';
export type {
  VisitorSignInConfig,
  VisitorSignInMode,
  VerifyResult,
  VisitorVerifier,
  VerifierDeps,
  VerifierLogger,
  KeyStatus,
  VisitorIdentity,
  FailureReason,
} from './types.js';
