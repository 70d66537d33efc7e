/**
 * Protected-header segments that already verified under the current keys, with
 * the key that verified them. A customer's tokens share a handful of exact
 * header segments (same alg, kid, typ), and the same header bytes always parse
 * the same, pass the header policy and select the same key again, so a token
 * with a known header skips the header parse and key selection and goes to the
 * signature check with that key. Only successful verifications add entries, so
 * forged tokens cannot grow it; it is small, and emptied whenever the key-set
 * generation changes.
 */
import type { VerificationKey } from './signature.js';

const MAX_HEADERS = 32;

export class ApprovedHeaders {
  #generation = -1;
  readonly #keys = new Map<string, VerificationKey>();

  get(headerSegment: string, generation: number): VerificationKey | undefined {
    return generation === this.#generation ? this.#keys.get(headerSegment) : undefined;
  }

  remember(headerSegment: string, key: VerificationKey, generation: number): void {
    if (generation !== this.#generation) {
      this.#keys.clear();
      this.#generation = generation;
    }
    if (this.#keys.size < MAX_HEADERS) this.#keys.set(headerSegment, key);
  }
}
