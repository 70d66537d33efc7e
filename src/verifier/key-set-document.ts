/**
 * Turns what a JWKS URL serves into a JWKS of public signing keys: a standard
 * JWKS document as is, or Firebase's x509 format ({ kid: PEM certificate })
 * converted certificate by certificate. Symmetric and private keys are dropped:
 * a public endpoint must never be a source of secret key material.
 */
import { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { KeySetFetchError } from './key-set-fetch-error.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv'];
const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isPublicSigningJwk(jwk: unknown): jwk is JWK {
  if (!isObject(jwk) || typeof jwk.kty !== 'string' || !ASYMMETRIC_KTY.has(jwk.kty)) return false;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return false;
  return jwk.use === undefined || jwk.use === 'sig';
}

function certificateToJwk(kid: string, pem: string): JWK {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new KeySetFetchError('The JWKS URL served an x509 map with a certificate that does not parse.', { cause });
  }
  const jwk = certificate.publicKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid, use: 'sig' };
}

const looksLikeCertificateMap = (document: Record<string, unknown>): boolean => {
  const values = Object.values(document);
  return values.length > 0 && values.every((value) => typeof value === 'string' && value.includes('-----BEGIN CERTIFICATE-----'));
};

/** An OpenID discovery document (it names a jwks_uri and has no keys). */
export interface DiscoveryDocument {
  readonly issuer: unknown;
  readonly jwksUri: string;
}

export function asDiscoveryDocument(document: unknown): DiscoveryDocument | null {
  if (!isObject(document) || Array.isArray(document.keys) || typeof document.jwks_uri !== 'string') return null;
  return { issuer: document.issuer, jwksUri: document.jwks_uri };
}

/**
 * The usable public keys of a fetched document; throws KeySetFetchError when
 * there are none. `x509` marks Firebase's certificate-map format, which only
 * Google serves, for keys every Firebase project shares.
 */
export function toJwks(document: unknown): { keys: JWK[]; x509: boolean } {
  if (!isObject(document)) throw new KeySetFetchError('The JWKS URL did not serve a JSON object; it must serve {"keys": [...]}.');
  let keys: JWK[];
  let x509 = false;
  if (Array.isArray(document.keys)) {
    keys = document.keys.filter(isPublicSigningJwk).map((jwk) => ({ ...jwk }));
  } else if (looksLikeCertificateMap(document)) {
    keys = Object.entries(document).map(([kid, pem]) => certificateToJwk(kid, pem as string));
    x509 = true;
  } else {
    throw new KeySetFetchError('The JWKS URL served JSON that is neither a JWKS ({"keys": [...]}) nor an x509 certificate map.');
  }
  if (keys.length === 0) throw new KeySetFetchError('The JWKS URL serves no public signing keys.');
  return { keys, x509 };
}
