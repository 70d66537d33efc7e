/**
 * The widget's side of the sign-in relay (docs/wire-protocol.md, "Sign-in
 * relay"): a second 256-bit secret that only this widget and the chat backend
 * ever see, registered as its SHA-256 with the state; a bounded long poll for
 * the token; cancellation when the transaction ends any other way.
 */
import {
  RELAY_MAX_WAIT_SECONDS,
  RELAY_PATHS,
  type RelayCollectResponse,
  type RelayProofRequest,
  type RelayRegisterRequest,
} from '../../protocol/signin.js';
import { isCompactJws } from '../../protocol/jws.js';
import { base64url, randomValue } from './random.js';

export interface RelayWatch {
  /** The backend took the registration: the relay can deliver. */
  onRegistered(): void;
  /** The sign-in page said it is open and will deliver through the relay. */
  onAnnounced(): void;
  onToken(token: string): void;
}

/** Pause after a network failure before polling again. */
const RETRY_MS = 1_000;

/**
 * Registers the transaction and long-polls until the token arrives, the relay
 * refuses, or `signal` aborts; on abort it cancels the transaction on the
 * backend (keepalive, so it survives the page going away). Resolves false when
 * the relay is not usable (no WebCrypto, registration refused or failed).
 */
export async function watchRelay(
  apiUrl: string,
  state: string,
  ttlSeconds: number,
  signal: AbortSignal,
  watch: RelayWatch,
  /** The visitor token the widget holds, if any: like every widget request, relay requests carry it (SPEC §2.5). */
  bearer: () => string | null,
): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return false;
  const secret = randomValue();
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(secret));
  const register: RelayRegisterRequest = { state, secretHash: base64url(new Uint8Array(digest)), ttlSeconds };
  const proof: RelayProofRequest = { state, secret };
  const post = (path: string, body: object, keepalive = false): Promise<Response> => {
    const token = bearer();
    return fetch(apiUrl + path, {
      method: 'POST',
      headers: token === null ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      credentials: 'omit',
      keepalive,
      signal: keepalive ? null : signal,
    });
  };
  let collected = false;
  try {
    if ((await post(RELAY_PATHS.register, register)).status !== 201) return false;
  } catch {
    return false;
  }
  if (signal.aborted) {
    void post(RELAY_PATHS.cancel, proof, true).catch(() => undefined);
    return true;
  }
  watch.onRegistered();
  signal.addEventListener('abort', () => {
    // A task later, so a token the transaction just delivered by postMessage is already set and goes along.
    if (!collected) setTimeout(() => void post(RELAY_PATHS.cancel, proof, true).catch(() => undefined));
  });
  let attached = false;
  while (!signal.aborted) {
    let response: Response;
    try {
      response = await post(RELAY_PATHS.collect, { ...proof, waitSeconds: RELAY_MAX_WAIT_SECONDS, attached });
    } catch {
      if (signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      continue;
    }
    if (response.status !== 200) break;
    const body = (await response.json().catch(() => null)) as (Partial<RelayCollectResponse> & { attached?: unknown }) | null;
    if (signal.aborted) break;
    if (isCompactJws(body?.token)) {
      collected = true;
      watch.onToken(body.token);
      break;
    }
    if (body?.attached === true && !attached) {
      attached = true;
      watch.onAnnounced();
    }
  }
  return true;
}
