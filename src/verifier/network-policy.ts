/**
 * Which addresses the verifier may fetch key and discovery documents from
 * (issue 11): an https host must resolve only to public unicast addresses
 * unless the operator allows private networks; a plain-http host (loopback by
 * the URL policy) only to loopback. Checked on the addresses the connection
 * actually uses (a custom `lookup` on the request), so DNS rebinding between a
 * check and the connect has no gap. Decimal and short IPv4 forms (2130706433,
 * 127.1) are normalised by the WHATWG URL parser before they get here.
 */
import type { LookupAddress, LookupAllOptions, LookupOneOptions, lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'loopback' | 'private';

/** ipaddr.js's ranges: only `unicast` is public; IPv4-mapped IPv6 is judged as the IPv4 it maps. */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'private';
  }
  const range = parsed.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}

export const isIpLiteral = (hostname: string): boolean => ipaddr.isValid(hostname.replace(/^\[|\]$/g, ''));

export interface AddressPolicy {
  /** The URL's scheme decides the rule: https public-only (unless allowed), http loopback-only. */
  readonly protocol: 'http:' | 'https:';
  readonly hostIsLoopbackName: boolean;
  readonly allowPrivateNetworks: boolean;
}

/** Why connecting to this address is refused, or null. */
export function addressProblem(address: string, policy: AddressPolicy): string | null {
  const kind = classifyAddress(address);
  if (policy.protocol === 'http:' && policy.hostIsLoopbackName) {
    return kind === 'loopback' ? null : 'a plain-http URL on a loopback name must resolve to a loopback address';
  }
  if (kind === 'public' || policy.allowPrivateNetworks) return null;
  return 'it resolves to a private, loopback or link-local address';
}

export class PrivateAddressError extends Error {
  readonly code = 'ERR_QUINCER_PRIVATE_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves every address of the host and
 * refuses the connection when any of them breaks the policy; `seen` records
 * the class of what was resolved (for messages that must not help a port scan).
 */
export function guardedLookup(lookup: typeof dnsLookup, policy: AddressPolicy, seen: { internal: boolean }) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: LookupCallback): void => {
    const wantsAll = typeof options === 'object' && options !== null && (options as LookupAllOptions).all === true;
    const family = typeof options === 'number' ? options : ((options as { family?: number | string }).family ?? 0);
    lookup(hostname, { all: true, family: family as number }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      if (list.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
      for (const entry of list) {
        if (classifyAddress(entry.address) !== 'public') seen.internal = true;
        const problem = addressProblem(entry.address, policy);
        if (problem) return callback(new PrivateAddressError(problem), []);
      }
      if (wantsAll) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
