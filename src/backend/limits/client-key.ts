import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import ipaddr from 'ipaddr.js';

/** The key of requests whose client address cannot be told (no socket, or an unparsable forwarded entry). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * Who a request comes from, for rate limiting: the client's IP address, an
 * IPv6 address cut to its /64 (one subscriber's usual allocation, so a client
 * cannot step through its own prefix to dodge the limit), an IPv4-mapped
 * IPv6 address as plain IPv4.
 *
 * With `trustedProxyHops` 0 the address is the TCP peer's and
 * `X-Forwarded-For` is ignored, since any client can send it. Behind N
 * proxies that each append the address they saw, the client is the N-th
 * entry from the right; entries further left were written by the client and
 * are not trusted.
 */
export function clientKeyFor(trustedProxyHops: number): (c: Context) => string {
  return (c) => {
    if (trustedProxyHops > 0) {
      const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
      const entry = forwarded[forwarded.length - trustedProxyHops];
      // Fewer entries than proxies: the request did not come through them all; fall back to the peer.
      if (entry !== undefined) return normalise(entry);
    }
    return normalise(peerAddress(c));
  };
}

function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // Not served by @hono/node-server (app.fetch called directly): no socket to ask.
    return undefined;
  }
}

function normalise(address: string | undefined): string {
  if (address === undefined || !ipaddr.isValid(address)) return UNKNOWN_CLIENT;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
