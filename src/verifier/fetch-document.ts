/**
 * Fetches a JWKS (or discovery) document's JSON under the verifier's network
 * policy: one overall timeout (connect, redirects and body), a byte cap enforced
 * while streaming, redirects followed only within the same origin, http only
 * where allowed, and (default transport) only to addresses network-policy.ts
 * allows, checked on the address actually connected to. Every failure is a
 * KeySetFetchError with a plain message for keyStatus(); against a loopback or
 * private target that message is always the same one, so the config page cannot
 * tell a closed port from an open one, or echo what an internal service answered.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { classifyAddress, guardedLookup, isIpLiteral, addressProblem, type AddressPolicy } from './network-policy.js';
import { KeySetFetchError } from './key-set-fetch-error.js';
import { isLoopbackHost, urlProblem } from './url-policy.js';

const MAX_REDIRECTS = 3;

export interface FetchDocumentOptions {
  /** An injected fetch owns its own network (only the URL policy applies); null: the guarded node:http(s) transport. */
  fetch: typeof fetch | null;
  /** null: node:dns's own. */
  lookup: typeof dnsLookup | null;
  timeoutMs: number;
  maxBytes: number;
  allowInsecureHttp: boolean;
  allowPrivateNetworks: boolean;
  /** How messages name the document: "The JWKS URL", "The discovery document". */
  label?: string;
}

const GENERIC_INTERNAL = (label: string) => `${label} is unreachable, or not a key document.`;

/** GET over node:http(s) with the guarded lookup, as a fetch Response (redirects are not followed). */
function guardedGet(url: URL, signal: AbortSignal, options: FetchDocumentOptions, seen: { internal: boolean }): Promise<Response> {
  const policy: AddressPolicy = {
    protocol: url.protocol as 'http:' | 'https:',
    hostIsLoopbackName: isLoopbackHost(url.hostname),
    allowPrivateNetworks: options.allowPrivateNetworks,
  };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIpLiteral(host)) {
    // Node connects to literals without a lookup: judge the literal itself.
    if (classifyAddress(host) !== 'public') seen.internal = true;
    const problem = addressProblem(host, policy);
    if (problem) return Promise.reject(Object.assign(new Error(problem), { code: 'ERR_QUINCER_PRIVATE_ADDRESS' }));
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        signal,
        agent: false,
        headers: { accept: 'application/json, application/jwk-set+json' },
        lookup: guardedLookup(options.lookup ?? dnsLookup, policy, seen) as never,
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') headers.set(name, value);
          else if (Array.isArray(value)) for (const entry of value) headers.append(name, entry);
        }
        if (status < 200 || status > 599) {
          res.destroy();
          reject(new Error(`unexpected status ${status}`));
          return;
        }
        const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, headers }));
      },
    );
    req.on('error', (error: Error) => reject(Object.assign(new TypeError('fetch failed'), { cause: error })));
    req.end();
  });
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new KeySetFetchError(`The document served more than ${Math.round(maxBytes / 1024)} KiB; a key set is far smaller.`);
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
      throw new KeySetFetchError(`The document served more than ${Math.round(maxBytes / 1024)} KiB; a key set is far smaller.`);
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

function describeNetworkError(error: unknown, timedOut: boolean, timeoutMs: number, label: string): KeySetFetchError {
  if (timedOut) return new KeySetFetchError(`${label} did not answer within ${timeoutMs} ms.`, { cause: error });
  const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (code === 'ERR_QUINCER_PRIVATE_ADDRESS') {
    const why = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    return new KeySetFetchError(
      `${label} is not allowed: ${why}; use a public URL, or let the operator allow private networks (allowPrivateNetworks, QUINCER_ALLOW_PRIVATE_NETWORKS=1).`,
      { cause: error, detail: 'private-network' },
    );
  }
  if (code === 'ECONNREFUSED') return new KeySetFetchError(`${label} refused the connection.`, { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new KeySetFetchError(`${label}'s host name does not resolve.`, { cause: error });
  if ((typeof code === 'string' && code.startsWith('ERR_TLS')) || code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return new KeySetFetchError(`${label}'s TLS certificate was not accepted.`, { cause: error });
  }
  return new KeySetFetchError(`${label} could not be reached.`, { cause: error });
}

/**
 * GETs `url` and returns its parsed JSON, passed through `interpret` (which may
 * throw a KeySetFetchError about the document's content: that message, too,
 * stays generic for an internal target).
 */
export async function fetchJsonDocument<T = unknown>(url: string, options: FetchDocumentOptions, interpret: (document: unknown) => T = (document) => document as T): Promise<T> {
  const label = options.label ?? 'The JWKS URL';
  const seen = { internal: false };
  try {
    return interpret(await fetchUnder(url, options, label, seen));
  } catch (error) {
    const failed = error instanceof KeySetFetchError ? error : new KeySetFetchError(`${label} could not be loaded.`, { cause: error });
    // A policy refusal says why; anything else about an internal target stays generic.
    if (seen.internal && failed.failure?.detail !== 'private-network') {
      const generic = new KeySetFetchError(GENERIC_INTERNAL(label), { cause: failed });
      generic.logMessage = failed.logMessage;
      throw generic;
    }
    throw failed;
  }
}

async function fetchUnder(url: string, options: FetchDocumentOptions, label: string, seen: { internal: boolean }): Promise<unknown> {
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
      if (problem) throw new KeySetFetchError(`${label} is not allowed: ${problem}`);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (isLoopbackHost(host) || (isIpLiteral(host) && classifyAddress(host) !== 'public')) seen.internal = true;
      let response: Response;
      try {
        response = options.fetch
          ? await options.fetch(target.href, {
              method: 'GET',
              redirect: 'manual',
              signal: controller.signal,
              headers: { accept: 'application/json, application/jwk-set+json' },
            })
          : await guardedGet(target, controller.signal, options, seen);
      } catch (error) {
        throw describeNetworkError(error, timedOut, options.timeoutMs, label);
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get('location');
        const next = location ? new URL(location, target) : null;
        if (!next || next.origin !== target.origin) {
          throw new KeySetFetchError(`${label} redirects to another host; enter the final URL instead.`);
        }
        if (hop >= MAX_REDIRECTS) throw new KeySetFetchError(`${label} redirects too many times; enter the final URL instead.`);
        target = next;
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => {});
        throw new KeySetFetchError(`${label} answered HTTP ${response.status}; it must answer 200 with JSON and need no authentication.`);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(response, options.maxBytes);
      } catch (error) {
        if (error instanceof KeySetFetchError) throw error;
        throw describeNetworkError(error, timedOut, options.timeoutMs, label);
      }
      try {
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
      } catch {
        throw new KeySetFetchError(`${label} did not serve JSON; it must serve a JWKS document ({"keys": [...]}).`);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
