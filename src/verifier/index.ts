/** The visitor-token verifier (SPEC §3): public API. */
export { createVisitorVerifier, JWKS_ALGORITHMS, HMAC_ALGORITHMS, CLOCK_TOLERANCE_SECONDS } from './verifier.js';
export { validateVisitorSignInConfig, visitorSignInWarnings, MIN_HMAC_SECRET_CHARS } from './config.js';
export { derivePreset, PROVIDERS, COGNITO_TOKEN_USES, FIREBASE_X509_URL, isSharedKeySetUrl } from '../protocol/providers.js';
export { FAILURE_DETAILS } from '../protocol/reasons.js';
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
  FailureDetail,
  IdentityProvider,
  CognitoTokenUse,
  ConfigWarning,
} from './types.js';
