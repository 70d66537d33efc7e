/**
 * The JWS algorithms a token may name, each with the CryptoKey jose imports a
 * published key as for that algorithm (jose 6 lib/jws_algorithms.js) and the
 * node:crypto parameters that check its signature.
 */
import { errors } from 'jose';

export interface JwsAlgorithm {
  readonly alg: string;
  /** `CryptoKey.algorithm` of a key usable with this alg. */
  readonly keyName: 'HMAC' | 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA' | 'Ed25519';
  readonly keyHash?: string;
  readonly namedCurve?: string;
  /** RFC 7518 §3.3, §3.5: RSA keys of fewer bits are refused, as jose refuses them. */
  readonly minRsaBits?: number;
  /** The node:crypto digest; null for Ed25519, which hashes inside the algorithm. */
  readonly digest: 'sha256' | 'sha384' | 'sha512' | null;
  /** JWS ECDSA signatures are R || S (RFC 7518 §3.4), not DER. */
  readonly dsaEncoding?: 'ieee-p1363';
  /** RSASSA-PSS salt length, equal to the hash size (RFC 7518 §3.5). */
  readonly pssSaltLength?: number;
}

const hmac = (bits: 256 | 384 | 512): Omit<JwsAlgorithm, 'alg'> => ({ keyName: 'HMAC', keyHash: `SHA-${bits}`, digest: `sha${bits}` });
const rsa = (bits: 256 | 384 | 512): Omit<JwsAlgorithm, 'alg'> => ({ keyName: 'RSASSA-PKCS1-v1_5', keyHash: `SHA-${bits}`, minRsaBits: 2048, digest: `sha${bits}` });
const pss = (bits: 256 | 384 | 512): Omit<JwsAlgorithm, 'alg'> => ({ keyName: 'RSA-PSS', keyHash: `SHA-${bits}`, minRsaBits: 2048, digest: `sha${bits}`, pssSaltLength: bits / 8 });
const ecdsa = (curve: string, bits: 256 | 384 | 512): Omit<JwsAlgorithm, 'alg'> => ({ keyName: 'ECDSA', namedCurve: curve, digest: `sha${bits}`, dsaEncoding: 'ieee-p1363' });
const ed25519: Omit<JwsAlgorithm, 'alg'> = { keyName: 'Ed25519', digest: null };

const TABLE: ReadonlyMap<string, JwsAlgorithm> = new Map(
  Object.entries({
    HS256: hmac(256), HS384: hmac(384), HS512: hmac(512),
    RS256: rsa(256), RS384: rsa(384), RS512: rsa(512),
    PS256: pss(256), PS384: pss(384), PS512: pss(512),
    ES256: ecdsa('P-256', 256), ES384: ecdsa('P-384', 384), ES512: ecdsa('P-521', 512),
    EdDSA: ed25519, Ed25519: ed25519,
  }).map(([alg, entry]) => [alg, Object.freeze({ alg, ...entry })]),
);

export function jwsAlgorithm(alg: string): JwsAlgorithm {
  const entry = TABLE.get(alg);
  if (!entry) throw new errors.JOSENotSupported(`alg ${alg} is not supported`);
  return entry;
}
