/**
 * Where the verifier may fetch keys from (and where a Sign-in URL may point):
 * https anywhere, plain http only on loopback unless explicitly allowed.
 */

/**
 * True for localhost, 127.0.0.0/8 and ::1 — hosts whose traffic never leaves the machine.
 * Not names under .localhost: Node resolves them through the system resolver, which may ask DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why `value` is not an acceptable http(s) URL, or null when it is. */
export function urlProblem(value: string, options: { allowInsecureHttp?: boolean } = {}): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter an absolute URL starting with https://.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an https:// URL.';
  if (url.username || url.password) return 'Remove the user name and password from the URL; it must be public.';
  if (url.protocol === 'http:' && !options.allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    return 'Use https://; plain http is accepted only for localhost.';
  }
  return null;
}
