/**
 * Where the widget keeps the token and the conversation id (SPEC §2.4):
 * memory by default; mirrored to sessionStorage only with persist 'session'.
 * Never localStorage, cookies or URLs.
 */
import type { Persist } from './options.js';

export type StoredKey = 'token' | 'conversation';

export interface StateStore {
  get(key: StoredKey): string | null;
  set(key: StoredKey, value: string): void;
  remove(key: StoredKey): void;
  /**
   * logout(): forgets everything, and removes every `quincer-chat-widget:*` key from this tab's
   * sessionStorage whatever this widget's persist, so a persist 'session' page seen earlier in
   * the tab is not signed in again.
   */
  clear(): void;
}

const PREFIX = 'quincer-chat-widget:';

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage access can throw (sandboxed iframes, blocked third-party storage).
    return null;
  }
}

export function createStateStore(persist: Persist): StateStore {
  const memory = new Map<StoredKey, string>();
  const session = persist === 'session' ? sessionStorageOrNull() : null;
  if (session) {
    for (const key of ['token', 'conversation'] as const) {
      try {
        const value = session.getItem(PREFIX + key);
        if (value !== null) memory.set(key, value);
      } catch {
        // Unreadable storage is an empty one.
      }
    }
  }
  const write = (action: () => void): void => {
    try {
      action();
    } catch {
      // A full or blocked sessionStorage leaves the value in memory only.
    }
  };
  return {
    get: (key) => memory.get(key) ?? null,
    set(key, value) {
      memory.set(key, value);
      if (session) write(() => session.setItem(PREFIX + key, value));
    },
    remove(key) {
      memory.delete(key);
      if (session) write(() => session.removeItem(PREFIX + key));
    },
    clear() {
      memory.clear();
      const storage = sessionStorageOrNull();
      write(() => {
        for (let i = storage?.length ?? 0; i--; ) {
          const key = storage!.key(i);
          if (key?.startsWith(PREFIX)) storage!.removeItem(key);
        }
      });
    },
  };
}
