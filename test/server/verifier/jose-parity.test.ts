/**
 * The verifier reads tokens and checks signatures itself (compact-jws.ts,
 * claims-set.ts, signature.ts) instead of calling jose's jwtVerify, which is
 * slower than the rest of the verification together. This test holds it to
 * jose: every token of a hostile corpus (broken headers, crit and b64, alg and
 * key mismatches, bad base64url, bad UTF-8, broken signatures, every claim
 * edge around the clock tolerance, and random combinations of them) must get
 * exactly the answer jose's jwtVerify gives with the same keys and options,
 * mapped through the same failure table — on a cold verifier (header parsed,
 * key selected) and on a warm one (the header already approved).
 */
import { createHmac, generateKeyPairSync, sign as signBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWSHeaderParameters, type JWTVerifyOptions } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitorVerifier, type VisitorVerifier } from '../../../src/verifier/index.js';
import { failureFor, OWN_CODES, VerificationError } from '../../../src/verifier/failures.js';
import { headerPolicy, HMAC_ALGORITHMS, JWKS_ALGORITHMS } from '../../../src/verifier/header-policy.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../../src/verifier/verifier.js';
import { recordingLogger } from './support.js';

const ISSUER = 'https://idp.parity.example/';
const AUDIENCE = 'https://api.parity.example';
const NOW_MS = Date.UTC(2026, 11, 2, 12, 0, 0);
const NOW = NOW_MS / 1000;
const HMAC_SECRET = 'parity-secret-0123456789-abcdefghijklmnopqrstuv';

interface Signer {
  readonly alg: string;
  readonly kid: string | null;
  sign(input: string): Buffer;
}

function asymmetric(alg: string, kid: string, privateKey: KeyObject, publicKey: KeyObject): Signer & { jwk: JWK } {
  const digest = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const options =
    alg.startsWith('ES') ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS') ? { key: privateKey, padding: 6, saltLength: Number(alg.slice(2)) / 8 }
    : privateKey;
  return { alg, kid, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }, sign: (input) => signBytes(digest, Buffer.from(input), options) };
}

const pair = (type: 'rsa' | 'ec' | 'ed25519', detail: object = {}) => generateKeyPairSync(type as 'rsa', detail as { modulusLength: number });
const rsa = pair('rsa', { modulusLength: 2048 });
const weakRsa = pair('rsa', { modulusLength: 1024 });
const p256a = pair('ec', { namedCurve: 'P-256' });
const p256b = pair('ec', { namedCurve: 'P-256' });
const p384 = pair('ec', { namedCurve: 'P-384' });
const ed = pair('ed25519');
const SIGNERS = {
  RS256: asymmetric('RS256', 'rs', rsa.privateKey, rsa.publicKey),
  PS256: asymmetric('PS256', 'ps', rsa.privateKey, rsa.publicKey),
  RS512: asymmetric('RS512', 'rs512', rsa.privateKey, rsa.publicKey),
  weak: asymmetric('RS256', 'weak', weakRsa.privateKey, weakRsa.publicKey),
  ES256a: asymmetric('ES256', 'es-a', p256a.privateKey, p256a.publicKey),
  ES256b: asymmetric('ES256', 'es-b', p256b.privateKey, p256b.publicKey),
  ES384: asymmetric('ES384', 'es384', p384.privateKey, p384.publicKey),
  EdDSA: asymmetric('EdDSA', 'ed', ed.privateKey, ed.publicKey),
};
const JWKS = { keys: Object.values(SIGNERS).map((signer) => signer.jwk) };
const HMAC: Signer = { alg: 'HS256', kid: null, sign: (input) => createHmac('sha256', HMAC_SECRET).update(input).digest() };
/** An unpublished key of a published type, for "signed by someone else". */
const stranger = pair('ec', { namedCurve: 'P-256' });

// ---- a seeded generator, so a failure names a reproducible token
let seed = 0x9e3779b9;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
const json = (value: unknown): string => b64(JSON.stringify(value));

type HeaderVariant = (signer: Signer) => string;
type PayloadVariant = () => string;
type SignatureVariant = (signer: Signer, input: string) => string;

const baseHeader = (signer: Signer, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alg: signer.alg,
  typ: 'JWT',
  ...(signer.kid === null ? {} : { kid: signer.kid }),
  ...extra,
});

const HEADERS: Record<string, HeaderVariant> = {
  plain: (s) => json(baseHeader(s)),
  noKid: (s) => json({ alg: s.alg, typ: 'JWT' }),
  critB64True: (s) => json(baseHeader(s, { crit: ['b64'], b64: true })),
  critB64False: (s) => json(baseHeader(s, { crit: ['b64'], b64: false })),
  critB64Missing: (s) => json(baseHeader(s, { crit: ['b64'] })),
  critB64NotBoolean: (s) => json(baseHeader(s, { crit: ['b64'], b64: 'no' })),
  b64FalseWithoutCrit: (s) => json(baseHeader(s, { b64: false })),
  critUnknown: (s) => json(baseHeader(s, { crit: ['exp'], exp: 1 })),
  critEmpty: (s) => json(baseHeader(s, { crit: [] })),
  critNotArray: (s) => json(baseHeader(s, { crit: 'b64', b64: true })),
  critEmptyName: (s) => json(baseHeader(s, { crit: [''] })),
  critDuplicate: (s) => json(baseHeader(s, { crit: ['b64', 'b64'], b64: true })),
  algMissing: (s) => json({ typ: 'JWT', ...(s.kid === null ? {} : { kid: s.kid }) }),
  algEmpty: (s) => json(baseHeader(s, { alg: '' })),
  algNumber: (s) => json(baseHeader(s, { alg: 256 })),
  algNone: (s) => json(baseHeader(s, { alg: 'none' })),
  algHs256: (s) => json(baseHeader(s, { alg: 'HS256' })),
  algRs256: (s) => json(baseHeader(s, { alg: 'RS256' })),
  algPs256: (s) => json(baseHeader(s, { alg: 'PS256' })),
  algEs384: (s) => json(baseHeader(s, { alg: 'ES384' })),
  algEd25519: (s) => json(baseHeader(s, { alg: 'Ed25519' })),
  algLowercase: (s) => json(baseHeader(s, { alg: s.alg.toLowerCase() })),
  unknownKid: (s) => json(baseHeader(s, { kid: 'not-published' })),
  kidNumber: (s) => json(baseHeader(s, { kid: 7 })),
  otherKid: (s) => json(baseHeader(s, { kid: s.kid === 'es-a' ? 'es-b' : 'rs' })),
  notJson: () => b64('{"alg":"RS256"'),
  jsonArray: (s) => json([baseHeader(s)]),
  jsonNull: () => json(null),
  jsonString: () => json('RS256'),
  invalidUtf8: () => b64(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
  byteOrderMark: (s) => b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(baseHeader(s)))])),
  lengthOneMod4: (s) => {
    const segment = json(baseHeader(s));
    return segment.length % 4 === 1 ? segment : `${segment}${'A'.repeat((5 - (segment.length % 4)) % 4)}`;
  },
  protoKey: (s) => b64(`{"__proto__":{"alg":"none"},"alg":"${s.alg}"${s.kid === null ? '' : `,"kid":"${s.kid}"`}}`),
  duplicateAlg: (s) => b64(`{"alg":"none","alg":"${s.alg}"${s.kid === null ? '' : `,"kid":"${s.kid}"`}}`),
};

const claims = (extra: Record<string, unknown> = {}, drop: string[] = []): string => {
  const base: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'visitor-1', iat: NOW - 60, exp: NOW + 3600, ...extra };
  for (const name of drop) delete base[name];
  return json(base);
};

const PAYLOADS: Record<string, PayloadVariant> = {
  valid: () => claims(),
  audArray: () => claims({ aud: ['https://other.example', AUDIENCE] }),
  audArrayWithoutOurs: () => claims({ aud: ['https://other.example'] }),
  audArrayMixed: () => claims({ aud: [7, null, AUDIENCE] }),
  audEmptyArray: () => claims({ aud: [] }),
  audNumber: () => claims({ aud: 7 }),
  audMissing: () => claims({}, ['aud']),
  audOther: () => claims({ aud: 'https://other.example' }),
  issMissing: () => claims({}, ['iss']),
  issOther: () => claims({ iss: 'https://evil.example/' }),
  issNoSlash: () => claims({ iss: ISSUER.replace(/\/$/, '') }),
  issNumber: () => claims({ iss: 1 }),
  issArray: () => claims({ iss: [ISSUER] }),
  issNull: () => claims({ iss: null }),
  expPast: () => claims({ exp: NOW - CLOCK_TOLERANCE_SECONDS - 1 }),
  expAtTolerance: () => claims({ exp: NOW - CLOCK_TOLERANCE_SECONDS }),
  expWithinTolerance: () => claims({ exp: NOW - CLOCK_TOLERANCE_SECONDS + 1 }),
  expString: () => claims({ exp: String(NOW + 3600) }),
  expNull: () => claims({ exp: null }),
  expFraction: () => claims({ exp: NOW + 0.5 }),
  nbfFuture: () => claims({ nbf: NOW + CLOCK_TOLERANCE_SECONDS + 1 }),
  nbfAtTolerance: () => claims({ nbf: NOW + CLOCK_TOLERANCE_SECONDS }),
  nbfString: () => claims({ nbf: 'now' }),
  iatString: () => claims({ iat: 'yesterday' }),
  iatFuture: () => claims({ iat: NOW + 86_400 }),
  iatNull: () => claims({ iat: null }),
  hugeExp: () => claims({ exp: 1e300 }),
  notJson: () => b64('{"sub":"visitor-1"'),
  jsonArray: () => json([{ sub: 'visitor-1' }]),
  jsonNull: () => json(null),
  jsonNumber: () => json(42),
  invalidUtf8: () => b64(Buffer.from([0x7b, 0x22, 0x73, 0x75, 0x62, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
  byteOrderMark: () => b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'bom', exp: NOW + 60 }))])),
  lengthOneMod4: () => {
    const segment = claims();
    return segment.length % 4 === 1 ? segment : `${segment}${'A'.repeat((5 - (segment.length % 4)) % 4)}`;
  },
};

const flipLastByte = (signature: Buffer): Buffer => {
  const copy = Buffer.from(signature);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
};

const SIGNATURES: Record<string, SignatureVariant> = {
  valid: (s, input) => b64(s.sign(input)),
  flipped: (s, input) => b64(flipLastByte(s.sign(input))),
  truncated: (s, input) => b64(s.sign(input).subarray(1)),
  extended: (s, input) => b64(Buffer.concat([s.sign(input), Buffer.from([0])])),
  lengthOneMod4: (s, input) => {
    const segment = b64(s.sign(input));
    return segment.length % 4 === 1 ? segment : `${segment}${'A'.repeat((5 - (segment.length % 4)) % 4)}`;
  },
  derEncoded: (s, input) => (s.alg.startsWith('ES') ? b64(signBytes(`sha${s.alg.slice(2)}`, Buffer.from(input), s === SIGNERS.ES384 ? p384.privateKey : p256a.privateKey)) : b64(s.sign(input))),
  stranger: (s, input) => (s.alg === 'ES256' ? b64(signBytes('sha256', Buffer.from(input), { key: stranger.privateKey, dsaEncoding: 'ieee-p1363' })) : b64(flipLastByte(s.sign(input)))),
  // RFC 7518 §3.5: the salt is as long as the hash; a verifier that auto-detects it would accept this.
  pssShortSalt: (s, input) =>
    s.alg.startsWith('PS') ? b64(signBytes('sha256', Buffer.from(input), { key: rsa.privateKey, padding: 6, saltLength: 20 })) : b64(flipLastByte(s.sign(input))),
  zeros: (s, input) => b64(Buffer.alloc(s.sign(input).length)),
};

// ---- jose's answer: jwtVerify with the same key set, options and header policy the verifier had before
// it stopped calling jwtVerify (the policy in the key resolver, the published-kid-with-another-alg wrap).
function joseReference(mode: 'jwks' | 'hmac') {
  const policy = headerPolicy(mode === 'hmac' ? HMAC_ALGORITHMS : JWKS_ALGORITHMS);
  const localSet = createLocalJWKSet(JWKS);
  const kids = JWKS.keys.map((key) => key.kid);
  const hmacKey = crypto.subtle.importKey('raw', new TextEncoder().encode(HMAC_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const options: JWTVerifyOptions = { issuer: ISSUER, audience: [AUDIENCE], clockTolerance: CLOCK_TOLERANCE_SECONDS, currentDate: new Date(NOW_MS) };
  const resolve = async (header: JWSHeaderParameters, token: Parameters<typeof localSet>[1]): Promise<CryptoKey> => {
    policy(header);
    if (mode === 'hmac') return hmacKey;
    try {
      return await localSet(header, token);
    } catch (error) {
      if ((error as { code?: unknown }).code === errors.JWKSNoMatchingKey.code && typeof header.kid === 'string' && kids.includes(header.kid)) {
        throw new VerificationError(OWN_CODES.algMismatch, 'published for another algorithm');
      }
      throw error;
    }
  };
  async function verifyEachCandidate(token: string, error: unknown): Promise<void> {
    if ((error as { code?: unknown }).code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    for await (const candidate of error as AsyncIterable<CryptoKey>) {
      try {
        await jwtVerify(token, candidate, options);
        return;
      } catch (inner) {
        if ((inner as { code?: unknown }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
      }
    }
    throw error;
  }
  return async (token: string): Promise<string> => {
    try {
      await jwtVerify(token, resolve, options).catch((error: unknown) => verifyEachCandidate(token, error));
      return 'ok';
    } catch (error) {
      return failureFor(error, ISSUER).detail;
    }
  };
}

const answer = async (verifier: VisitorVerifier, token: string): Promise<string> => {
  const result = await verifier.verifyToken(token);
  return result.ok ? 'ok' : result.detail;
};

let server: Server;
let jwksUrl: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(JWKS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function makeVerifier(mode: 'jwks' | 'hmac'): VisitorVerifier {
  const checks = { issuer: ISSUER, audience: AUDIENCE };
  const config = mode === 'hmac' ? { mode, hmacSecret: HMAC_SECRET, ...checks } : { mode, jwksUrl, ...checks };
  // No result cache: a repeated token must be judged again, not remembered.
  return createVisitorVerifier(config, { now: () => NOW_MS, logger: recordingLogger(), resultCacheMaxEntries: 0 });
}

const build = (signer: Signer, header: string, payload: string, signature: SignatureVariant): string => {
  const input = `${header}.${payload}`;
  return `${input}.${signature(signer, input)}`;
};

interface Case {
  readonly name: string;
  readonly token: string;
}

function corpus(signers: readonly Signer[], fuzzCount: number): Case[] {
  const cases: Case[] = [];
  for (const signer of signers) {
    const id = `${signer.alg}/${signer.kid ?? '-'}`;
    for (const [name, header] of Object.entries(HEADERS)) cases.push({ name: `${id} header ${name}`, token: build(signer, header(signer), PAYLOADS.valid!(), SIGNATURES.valid!) });
    for (const [name, payload] of Object.entries(PAYLOADS)) cases.push({ name: `${id} payload ${name}`, token: build(signer, HEADERS.plain!(signer), payload(), SIGNATURES.valid!) });
    for (const [name, signature] of Object.entries(SIGNATURES)) cases.push({ name: `${id} signature ${name}`, token: build(signer, HEADERS.plain!(signer), PAYLOADS.valid!(), signature) });
  }
  for (let i = 0; i < fuzzCount; i++) {
    const signer = pick(signers);
    const [headerName, header] = pick(Object.entries(HEADERS));
    const [payloadName, payload] = pick(Object.entries(PAYLOADS));
    const [signatureName, signature] = pick(Object.entries(SIGNATURES));
    cases.push({ name: `fuzz ${signer.alg}/${signer.kid ?? '-'} ${headerName} ${payloadName} ${signatureName}`, token: build(signer, header(signer), payload(), signature) });
  }
  // Only compact JWS reach the signature path; other shapes are judged before it (token-shape tests).
  return cases.filter((entry) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(entry.token));
}

async function expectParity(mode: 'jwks' | 'hmac', cases: readonly Case[], warmToken: string): Promise<void> {
  const reference = joseReference(mode);
  const warm = makeVerifier(mode);
  expect(await answer(warm, warmToken)).toBe('ok');
  const mismatches: string[] = [];
  for (const { name, token } of cases) {
    const expected = await reference(token);
    const cold = await answer(makeVerifier(mode), token);
    const approved = await answer(warm, token);
    if (cold !== expected || approved !== expected) mismatches.push(`${name}: jose ${expected}, cold ${cold}, warm ${approved}`);
  }
  expect(mismatches).toEqual([]);
}

describe('the verifier judges every token as jose jwtVerify does', () => {
  it('JWKS mode: RS256, PS256, RS512, a 1024-bit RSA key, two ES256 keys, ES384 and EdDSA', async () => {
    const signers = Object.values(SIGNERS);
    const noKid: Signer[] = signers.map((signer) => ({ ...signer, kid: null }));
    const cases = corpus([...signers, ...noKid], 400);
    // The corpus must exercise both outcomes and many distinct refusals, or it proves little.
    const reference = joseReference('jwks');
    const answers = new Set(await Promise.all(cases.map((entry) => reference(entry.token))));
    expect(answers).toContain('ok');
    expect(answers.size).toBeGreaterThanOrEqual(14);
  await expectParity('jwks', cases, build(SIGNERS.RS256, HEADERS.plain!(SIGNERS.RS256), PAYLOADS.valid!(), SIGNATURES.valid!));
  }, 120_000);

  it('HMAC mode: HS256 with the shared secret', async () => {
    const cases = corpus([HMAC], 150);
  await expectParity('hmac', cases, build(HMAC, HEADERS.plain!(HMAC), PAYLOADS.valid!(), SIGNATURES.valid!));
  }, 60_000);
});
