/**
 * Token helpers for tests: HS256 tokens signed the way the documentation tells
 * customers to (`new TextEncoder().encode(secret)`), and hand-crafted hostile
 * tokens (alg none, header-embedded keys, unknown crit, algorithm confusion).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const b64url = (input: string | Uint8Array): string => Buffer.from(input).toString('base64url');
export const b64urlJson = (value: unknown): string => b64url(JSON.stringify(value));

/** A fresh secret of the kind Generate makes: 32 random bytes, base64url (43 characters). */
export function generateHmacSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface HmacSignOptions {
  /** Seconds from `now` to `exp`, used when the claims carry no `exp`. Default 3600; `null` sets no exp. */
  expiresIn?: number | null;
  /** ms epoch. Default Date.now(). */
  now?: number;
  header?: Record<string, unknown>;
}

function withTimes(claims: JWTPayload, options: { expiresIn?: number | null; now?: number }): JWTPayload {
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: JWTPayload = { ...claims };
  if (payload.iat === undefined) payload.iat = nowSeconds;
  const expiresIn = options.expiresIn === undefined ? 3600 : options.expiresIn;
  if (payload.exp === undefined && expiresIn !== null) payload.exp = nowSeconds + expiresIn;
  return payload;
}

/** An HS256 token, keyed with the UTF-8 bytes of `secret` exactly as the documentation's example. */
export async function signHs256(claims: JWTPayload, secret: string, options: HmacSignOptions = {}): Promise<string> {
  return new SignJWT(withTimes(claims, options))
    .setProtectedHeader({ ...(options.header ?? {}), alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

/**
 * Builds a compact JWS from raw parts, with any header, payload and signature.
 * `sign` receives the signing input (`header.payload`) and returns the raw signature.
 */
export function craftToken(
  header: Record<string, unknown>,
  payload: unknown,
  sign: (signingInput: string) => Uint8Array | string = () => '',
): string {
  const signingInput = `${b64urlJson(header)}.${typeof payload === 'string' ? b64url(payload) : b64urlJson(payload)}`;
  const signature = sign(signingInput);
  return `${signingInput}.${typeof signature === 'string' ? signature : b64url(signature)}`;
}

/** `alg: none` with an empty signature segment replaced by a dummy, so it still looks like three segments. */
export function algNoneToken(claims: JWTPayload, options: { expiresIn?: number | null; now?: number } = {}): string {
  return craftToken({ alg: 'none', typ: 'JWT' }, withTimes(claims, options), () => 'AA');
}

/**
 * HS256 keyed with the bytes of a public key (PEM text): the classic algorithm
 * confusion attack against verifiers that let the token pick the algorithm.
 */
export function hs256WithPublicKey(claims: JWTPayload, publicKeyPem: string, kid?: string, options: { now?: number } = {}): string {
  return craftToken({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }, withTimes(claims, options), (input) =>
    createHmac('sha256', publicKeyPem).update(input).digest(),
  );
}

export type EmbeddedKeyHeader = 'jwk' | 'jku' | 'x5u' | 'x5c';

/**
 * A token signed with an attacker's own key that names that key in the header
 * (`jwk` embeds it, `jku`/`x5u` point at a URL, `x5c` embeds a chain), so a
 * verifier that trusts the header would accept it.
 */
export async function embeddedKeyToken(
  claims: JWTPayload,
  kind: EmbeddedKeyHeader,
  options: { kid?: string; now?: number } = {},
): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' };
  if (options.kid) header.kid = options.kid;
  if (kind === 'jwk') header.jwk = jwk;
  if (kind === 'jku') header.jku = 'https://attacker.example/jwks.json';
  if (kind === 'x5u') header.x5u = 'https://attacker.example/cert.pem';
  if (kind === 'x5c') header.x5c = ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'];
  return new SignJWT(withTimes(claims, options)).setProtectedHeader(header as { alg: string }).sign(privateKey);
}

/** A token whose header marks an extension nobody understands as critical. */
export function critToken(
  claims: JWTPayload,
  signWith: (signingInput: string) => Uint8Array | string,
  options: { kid?: string; alg?: string; now?: number } = {},
): string {
  return craftToken(
    { alg: options.alg ?? 'HS256', ...(options.kid ? { kid: options.kid } : {}), crit: ['urn:example:unknown'], 'urn:example:unknown': true },
    withTimes(claims, options),
    signWith,
  );
}

/** HMAC-SHA256 signer over the UTF-8 bytes of `secret`, for craftToken/critToken. */
export const hmacSigner = (secret: string) => (signingInput: string) =>
  createHmac('sha256', new TextEncoder().encode(secret)).update(signingInput).digest();

/** Replaces the signature of a token with another (valid-looking) one: a forgery. */
export function forgeSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return `${header}.${payload}.${b64url(bytes)}`;
}

/** Keeps header and signature and swaps in another payload: a forgery that changes claims. */
export function swapPayload(token: string, payload: unknown): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64urlJson(payload)}.${signature}`;
}

/** Decodes a token's payload without verifying it (tests only). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
