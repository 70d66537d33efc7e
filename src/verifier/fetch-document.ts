/**
 * Fetches the JWKS URL's JSON under the verifier's network policy: one overall
 * timeout (connect, redirects and body), a byte cap enforced while streaming,
 * redirects followed only within the same origin, http only where allowed.
 * Every failure is a KeySetFetchError with a plain message for keyStatus().
 */
import { urlProblem } from './url-policy.js';

const MAX_REDIRECTS = 3;

export class KeySetFetchError extends Error {
  readonly code = 'ERR_QUINCER_JWKS_FETCH_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySetFetchError';
  }
}

export interface FetchDocumentOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  allowInsecureHttp: boolean;
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new KeySetFetchError(`The JWKS URL served more than ${Math.round(maxBytes / 1024)} KiB; a key set is far smaller.`);
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new KeySetFetchError(`The JWKS URL served more than ${Math.round(maxBytes / 1024)} KiB; a key set is far smaller.`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function describeNetworkError(error: unknown, timedOut: boolean, timeoutMs: number): KeySetFetchError {
  if (timedOut) return new KeySetFetchError(`The JWKS URL did not answer within ${timeoutMs} ms.`, { cause: error });
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (code === 'ECONNREFUSED') return new KeySetFetchError('The JWKS URL refused the connection.', { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new KeySetFetchError("The JWKS URL's host name does not resolve.", { cause: error });
  if (typeof code === 'string' && code.startsWith('ERR_TLS') || code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return new KeySetFetchError("The JWKS URL's TLS certificate was not accepted.", { cause: error });
  }
  return new KeySetFetchError('The JWKS URL could not be reached.', { cause: error });
}

/** GETs `url` and returns its parsed JSON. */
export async function fetchJsonDocument(url: string, options: FetchDocumentOptions): Promise<unknown> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    let target = new URL(url);
    for (let hop = 0; ; hop++) {
      const problem = urlProblem(target.href, { allowInsecureHttp: options.allowInsecureHttp });
      if (problem) throw new KeySetFetchError(`The JWKS URL is not allowed: ${problem}`);
      let response: Response;
      try {
        response = await options.fetch(target.href, {
          method: 'GET',
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: 'application/json, application/jwk-set+json' },
        });
      } catch (error) {
        throw describeNetworkError(error, timedOut, options.timeoutMs);
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get('location');
        const next = location ? new URL(location, target) : null;
        if (!next || next.origin !== target.origin) {
          throw new KeySetFetchError('The JWKS URL redirects to another host; enter the final URL instead.');
        }
        if (hop >= MAX_REDIRECTS) throw new KeySetFetchError('The JWKS URL redirects too many times; enter the final URL instead.');
        target = next;
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => {});
        throw new KeySetFetchError(`The JWKS URL answered HTTP ${response.status}; it must answer 200 with JSON and need no authentication.`);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(response, options.maxBytes);
      } catch (error) {
        if (error instanceof KeySetFetchError) throw error;
        throw describeNetworkError(error, timedOut, options.timeoutMs);
      }
      try {
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
      } catch {
        throw new KeySetFetchError('The JWKS URL did not serve JSON; it must serve a JWKS document ({"keys": [...]}).');
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
