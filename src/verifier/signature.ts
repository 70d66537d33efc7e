/**
 * The signature check of a JWS with node:crypto. The keys are the CryptoKeys
 * jose selected and imported from the key set; each is checked against the
 * token's alg as jose checks it (algorithm, hash, curve, usage, RSA size) and
 * converted to a KeyObject once.
 *
 * Why not WebCrypto, which jose's jwtVerify uses: every crypto.subtle.verify
 * call normalizes its arguments and hops to the thread pool through a promise
 * job, which costs more than the signature itself for every algorithm here
 * (bench/README.md). node:crypto's callback form still runs the asymmetric
 * check on the thread pool, so the event loop is not blocked and 64 requests in
 * flight use every core; HMAC is a hash of a few hundred bytes and runs inline.
 */
import { constants, createHmac, createSecretKey, KeyObject, timingSafeEqual, verify, type VerifyKeyObjectInput } from 'node:crypto';
import { jwsAlgorithm, type JwsAlgorithm } from './jws-algorithms.js';

export interface VerificationKey {
  readonly algorithm: JwsAlgorithm;
  readonly key: KeyObject;
  readonly input: KeyObject | VerifyKeyObjectInput;
}

const converted = new WeakMap<CryptoKey, Map<string, VerificationKey>>();

const unusable = (expected: string, property = 'algorithm.name'): TypeError =>
  new TypeError(`CryptoKey does not support this operation, its ${property} must be ${expected}`);

function keyInput(algorithm: JwsAlgorithm, key: KeyObject): KeyObject | VerifyKeyObjectInput {
  if (algorithm.dsaEncoding) return { key, dsaEncoding: algorithm.dsaEncoding };
  if (algorithm.pssSaltLength !== undefined) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.pssSaltLength };
  return key;
}

function convert(cryptoKey: CryptoKey, algorithm: JwsAlgorithm): VerificationKey {
  const expectedType = algorithm.keyName === 'HMAC' ? 'secret' : 'public';
  if (cryptoKey.type !== expectedType) throw new TypeError(`CryptoKey instances must be of type "${expectedType}" for the ${algorithm.alg} algorithm`);
  const details = cryptoKey.algorithm as { name: string; hash?: { name?: string }; namedCurve?: string; modulusLength?: number };
  if (details.name !== algorithm.keyName) throw unusable(algorithm.keyName);
  if (algorithm.keyHash && details.hash?.name !== algorithm.keyHash) throw unusable(algorithm.keyHash, 'algorithm.hash');
  if (algorithm.namedCurve && details.namedCurve !== algorithm.namedCurve) throw unusable(algorithm.namedCurve, 'algorithm.namedCurve');
  if (!cryptoKey.usages.includes('verify')) throw new TypeError('CryptoKey does not support this operation, its usages must include verify.');
  if (algorithm.minRsaBits !== undefined && !(typeof details.modulusLength === 'number' && details.modulusLength >= algorithm.minRsaBits)) {
    throw new TypeError(`${algorithm.alg} requires key modulusLength to be ${algorithm.minRsaBits} bits or larger`);
  }
  const key = KeyObject.from(cryptoKey);
  return Object.freeze({ algorithm, key, input: keyInput(algorithm, key) });
}

/** The key for checking `alg` signatures with this CryptoKey; a TypeError when the key cannot be used for `alg`. */
export function verificationKeyFor(cryptoKey: CryptoKey, alg: string): VerificationKey {
  let byAlg = converted.get(cryptoKey);
  const known = byAlg?.get(alg);
  if (known) return known;
  const key = convert(cryptoKey, jwsAlgorithm(alg));
  if (!byAlg) converted.set(cryptoKey, (byAlg = new Map()));
  byAlg.set(alg, key);
  return key;
}

/** The HS256 key of HMAC mode: the UTF-8 bytes of the secret, as customers sign with. */
export function hmacVerificationKey(secret: string): VerificationKey {
  const algorithm = jwsAlgorithm('HS256');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return Object.freeze({ algorithm, key, input: key });
}

/**
 * Whether `signature` is valid for `signingInput` (ASCII: header.payload) under
 * `key`: a boolean for HMAC, a promise for the thread-pool checks. Never throws
 * or rejects: anything node:crypto refuses is an invalid signature.
 */
export function signatureValid(key: VerificationKey, signingInput: string, signature: Buffer): boolean | Promise<boolean> {
  const { algorithm } = key;
  try {
    if (algorithm.keyName === 'HMAC') {
      const expected = createHmac(algorithm.digest!, key.key).update(signingInput, 'latin1').digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    const data = Buffer.from(signingInput, 'latin1');
    return new Promise((resolve) => {
      try {
        verify(algorithm.digest, data, key.input, signature, (error, valid) => resolve(error === null && valid === true));
      } catch {
        resolve(false);
      }
    });
  } catch {
    return false;
  }
}
