// Types of demo/demo.mjs for the TypeScript end-to-end tests.
import type { Logger } from 'pino';

export interface DemoOptions {
  /** Interface for the backend and the customer site; the customer site's host name too. Default 127.0.0.1. */
  host?: string;
  /** Host name of the sign-in site in the browser: another origin than the shop. Default localhost. */
  signInHost?: string;
  /** 0 (default) = a free port. */
  backendPort?: number;
  sitePort?: number;
  signInPort?: number;
  /** Default: a fresh temporary folder. */
  dataDir?: string;
  adminToken?: string;
  /** Lifetime of a valid demo token, in seconds (default 300). */
  tokenTtlSeconds?: number;
  /** Passed to the backend's verifier; allowInsecureHttp is always on (loopback JWKS). */
  verifierDeps?: Record<string, unknown>;
  logger?: Logger;
  /** Level of the default pino logger (default info). */
  logLevel?: string;
  /** The backend's sign-in relay rate limit (requests per address per minute). */
  relayRateLimit?: number;
}

export type TokenKind = 'valid' | 'expired' | 'unknown-key' | 'malformed' | 'no-sub';

export interface DemoUser {
  username: string;
  sub: string;
  name: string;
  email: string;
  plan: string;
}

export interface DemoIdentityProvider {
  readonly mode: 'jwks' | 'hmac';
  readonly kid: string;
  jwks(): { keys: object[] };
  rotate(): Promise<string>;
  useHmac(secret: string): void;
  useJwks(): void;
  tokenFor(user: DemoUser, kind?: TokenKind): Promise<string>;
}

export interface DemoAdmin {
  request(method: string, path: string, body?: unknown): Promise<any>;
  getConfig(): Promise<any>;
  putConfig(config: unknown): Promise<any>;
  switchToJwks(): Promise<void>;
  switchToHmac(): Promise<void>;
  testToken(token: string, options?: { refreshJwks?: boolean }): Promise<any>;
  keyStatus(): Promise<any>;
}

/** One request the backend received, as its onRequest hook saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  origin: string | null;
  /** An Authorization header was present. */
  authorization: boolean;
  /** The bearer token's claims and header, decoded WITHOUT verification; null without one. */
  sub: string | null;
  /** exp in seconds since the epoch. */
  exp: number | null;
  alg: string | null;
  kid: string | null;
  at: number;
}

export interface Demo {
  siteUrl: string;
  siteOrigin: string;
  signInUrl: string;
  signInOrigin: string;
  jwksUrl: string;
  backendUrl: string;
  adminToken: string;
  dataDir: string;
  idp: DemoIdentityProvider;
  admin: DemoAdmin;
  requests: RecordedRequest[];
  /** The sign-in page's Cross-Origin-Opener-Policy switch (null: none). */
  setSignInCoop(value: 'same-origin' | 'same-origin-allow-popups' | 'unsafe-none' | null): void;
  close(): Promise<void>;
}

export function startDemo(options?: DemoOptions): Promise<Demo>;
export declare const DEMO_USERS: readonly DemoUser[];
export declare const DEMO_PASSWORD: string;
