/**
 * Reading a compact JWS the way jose's jwtVerify reads it (jose 6,
 * lib/jws_verify.js and lib/validate.js), so every token is judged by the same
 * rules and answers with the same jose error classes: the protected header must
 * be a JSON object with a non-empty string alg; `crit` may name only `b64`,
 * which must then be a boolean; segments must be valid base64url. The caller has
 * already checked the three-segment shape (token-shape.ts).
 */
import { errors, type JWSHeaderParameters } from 'jose';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A compact JWS with the positions of its two dots. */
export interface CompactJws {
  readonly token: string;
  readonly headerEnd: number;
  readonly payloadEnd: number;
}

export function splitCompactJws(token: string): CompactJws {
  const headerEnd = token.indexOf('.');
  return { token, headerEnd, payloadEnd: token.indexOf('.', headerEnd + 1) };
}

export const headerSegment = (jws: CompactJws): string => jws.token.slice(0, jws.headerEnd);
export const payloadSegment = (jws: CompactJws): string => jws.token.slice(jws.headerEnd + 1, jws.payloadEnd);
export const signingInput = (jws: CompactJws): string => jws.token.slice(0, jws.payloadEnd);
export const signatureSegment = (jws: CompactJws): string => jws.token.slice(jws.payloadEnd + 1);

/** A plain JSON object, as jose's isObject judges the output of JSON.parse. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The bytes of a base64url segment of base64url characters. A length of 1 mod 4
 * cannot be base64 (atob and Uint8Array.fromBase64 refuse it; Buffer would not).
 */
function base64urlBytes(segment: string): Buffer {
  if (segment.length % 4 === 1) throw new TypeError('Invalid base64url');
  return Buffer.from(segment, 'base64url');
}

export function decodeSegment(segment: string, label: 'payload' | 'signature'): Buffer {
  try {
    return base64urlBytes(segment);
  } catch (cause) {
    throw new errors.JWSInvalid(`Failed to base64url decode the ${label}`, { cause });
  }
}

/** JSON of strict UTF-8 bytes; throws on either failure. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(strictUtf8.decode(bytes));
}

export interface ProtectedHeader {
  readonly header: JWSHeaderParameters & { readonly alg: string };
  /** False only for an unencoded payload (RFC 7797), which a JWT must not use. */
  readonly b64: boolean;
}

export function parseProtectedHeader(segment: string): ProtectedHeader {
  let header: unknown;
  try {
    header = parseJsonBytes(base64urlBytes(segment));
  } catch (cause) {
    throw new errors.JWSInvalid('JWS Protected Header is invalid', { cause });
  }
  if (!isJsonObject(header)) throw new errors.JWSInvalid('JWS Protected Header is invalid');
  const b64 = criticalB64(header);
  if (typeof header.alg !== 'string' || header.alg === '') throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  return { header: header as ProtectedHeader['header'], b64 };
}

/** RFC 7515 §4.1.11: every listed extension must be understood (only b64 is) and present. */
function criticalB64(header: Record<string, unknown>): boolean {
  const { crit } = header;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== 'string' || name.length === 0)) {
    throw new errors.JWSInvalid('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  }
  for (const name of crit as string[]) {
    if (name !== 'b64') throw new errors.JOSENotSupported(`Extension Header Parameter "${name}" is not recognized`);
    if (!Object.hasOwn(header, name)) throw new errors.JWSInvalid(`Extension Header Parameter "${name}" is missing`);
  }
  if (typeof header.b64 !== 'boolean') throw new errors.JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
  return header.b64;
}
