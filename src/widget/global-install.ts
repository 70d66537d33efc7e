/**
 * The script-tag entry's job: replace the pre-load stub with the real API,
 * replay its queue in order, keep a sentinel so a second copy of the bundle
 * changes nothing, and auto-init from the script tag's data-* attributes.
 */
import { API_METHODS, createChatWidgetApi, type ChatWidgetApi } from './api.js';
import type { ChatWidgetOptions } from './options.js';

/** One call queued by the snippet: [method, args, resolve?, reject?]; `on` calls get `cancelled`/`unbind`. */
export type QueuedCall = [string, unknown[], ((value: unknown) => void)?, ((error: unknown) => void)?] & {
  cancelled?: boolean;
  unbind?: () => void;
};

const SENTINEL = '__quincerChatWidget';

interface GlobalHost {
  ChatWidget?: unknown;
}

export function installGlobal(win: GlobalHost, script: Element | null): ChatWidgetApi {
  const existing = win.ChatWidget as (Partial<ChatWidgetApi> & { q?: unknown; [SENTINEL]?: true }) | undefined;
  if (existing?.[SENTINEL]) return existing as ChatWidgetApi;
  const api = createChatWidgetApi();
  Object.defineProperty(api, SENTINEL, { value: true });
  win.ChatWidget = Object.freeze(api);
  const queue = Array.isArray(existing?.q) ? (existing.q as QueuedCall[]) : [];
  replay(api, queue);
  if (!api.widget) autoInit(api, script);
  return api;
}

function report(error: unknown): void {
  // The message names what to fix; it never contains a token.
  console.error(error);
}

function replay(api: ChatWidgetApi, queue: QueuedCall[]): void {
  for (const call of queue.splice(0)) {
    const [method, args, resolve, reject] = call;
    if (!Array.isArray(args) || !(API_METHODS as readonly string[]).includes(method)) continue;
    if (method === 'on' && call.cancelled) continue;
    try {
      const result = (api[method as (typeof API_METHODS)[number]] as (...a: unknown[]) => unknown)(...args);
      if (method === 'send') (result as Promise<unknown>).then(resolve, reject);
      if (method === 'on') call.unbind = result as () => void;
    } catch (error) {
      if (reject) reject(error);
      else report(error);
    }
  }
}

function autoInit(api: ChatWidgetApi, script: Element | null): void {
  const data = (script as HTMLElement | null)?.dataset;
  if (!data?.['apiUrl']) return;
  const options: Record<string, unknown> = { apiUrl: data['apiUrl'] };
  if (data['signInUrl']) options['signInUrl'] = data['signInUrl'];
  if (data['persist']) options['persist'] = data['persist'];
  if (data['position']) options['position'] = data['position'];
  if (data['colorScheme']) options['theme'] = { colorScheme: data['colorScheme'] };
  if (data['open'] !== undefined) options['open'] = data['open'] !== 'false';
  try {
    api.init(options as unknown as ChatWidgetOptions);
  } catch (error) {
    report(error);
  }
}
