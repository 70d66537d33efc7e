/**
 * Signals between the widgets of one site (one origin, one browser) that talk
 * to the same apiUrl: a BroadcastChannel, or the `storage` event where there is
 * none. Only two signals ever travel, and nothing secret: "logged out", and
 * "this conversation ended" naming the conversation by a SHA-256 digest of its
 * id (an anonymous conversation's id grants access to it). Never a token.
 */

export type TabSignal = { type: 'logout' } | { type: 'ended'; digest: string };

export interface TabChannel {
  post(signal: TabSignal): void;
  close(): void;
}

/** A digest to compare conversations by, without putting their id on the channel. */
export async function conversationDigest(id: string): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id))).join();
}

export function openTabChannel(apiUrl: string, onSignal: (signal: TabSignal) => void): TabChannel {
  const name = `quincer-chat-widget:${apiUrl}`;
  const receive = (data: unknown): void => {
    const signal = data as TabSignal | null;
    if (signal?.type === 'logout' || (signal?.type === 'ended' && typeof signal.digest === 'string')) onSignal(signal);
  };
  if (typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event) => receive(event.data);
    return { post: (signal) => channel.postMessage(signal), close: () => channel.close() };
  }
  // The storage event fires in the site's other tabs on every change of a localStorage key; the key is
  // removed at once, so nothing stays behind, and the nonce makes a repeated signal a change.
  // Only this widget writes the key (a same-origin script could as well call logout() itself).
  const onStorage = (event: StorageEvent): void => {
    if (event.key !== name || !event.newValue) return;
    try {
      receive(JSON.parse(event.newValue));
    } catch {
      // Not one of ours: ignored.
    }
  };
  addEventListener('storage', onStorage);
  return {
    post(signal) {
      try {
        localStorage.setItem(name, JSON.stringify({ ...signal, nonce: Math.random() }));
        localStorage.removeItem(name);
      } catch {
        // Blocked storage: the other tabs keep their state until they reload.
      }
    },
    close: () => removeEventListener('storage', onStorage),
  };
}
