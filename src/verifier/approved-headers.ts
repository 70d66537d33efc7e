/**
 * Protected-header segments that already verified under the current keys, with
 * the key that verified them. A customer's tokens share a handful of exact
 * header segments (same alg, kid, typ), and the same header bytes always pass
 * the header policy and select the same key again, so a token with a known
 * header goes to jose's jwtVerify with that key directly: no resolver round
 * trip. Only successful verifications add entries, so forged tokens cannot
 * grow it; it is small, and emptied whenever the key-set generation changes.
 */
const MAX_HEADERS = 32;

export class ApprovedHeaders {
  #generation = -1;
  readonly #keys = new Map<string, CryptoKey>();

  get(headerSegment: string, generation: number): CryptoKey | undefined {
    return generation === this.#generation ? this.#keys.get(headerSegment) : undefined;
  }

  remember(headerSegment: string, key: CryptoKey, generation: number): void {
    if (generation !== this.#generation) {
      this.#keys.clear();
      this.#generation = generation;
    }
    if (this.#keys.size < MAX_HEADERS) this.#keys.set(headerSegment, key);
  }
}
