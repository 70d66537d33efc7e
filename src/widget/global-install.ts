/**
 * The script-tag entry's job: replace the pre-load stub with the real API,
 * replay its queue in order, keep a sentinel so a second copy of the bundle
 * changes nothing, and auto-init from the script tag's data-* attributes.
 */
import { createChatWidgetApi, replay, type ChatWidgetApi, type QueuedCall } from './api.js';
import type { ChatWidgetOptions } from './options.js';

const SENTINEL = '__quincerChatWidget';

// The message names what to fix; it never contains a token.
const report = (error: unknown): void => console.error(error);

export function installGlobal(win: { ChatWidget?: unknown }, script: Element | null): ChatWidgetApi {
  const existing = win.ChatWidget as { q?: unknown; [SENTINEL]?: unknown } | undefined;
  // `=== true`: markup such as <form name="ChatWidget"><input name="__quincerChatWidget"> puts an
  // element at both names (window and form named properties), and an element is not `true`.
  if (existing?.[SENTINEL] === true) return existing as unknown as ChatWidgetApi;
  const api = createChatWidgetApi();
  Object.defineProperty(api, SENTINEL, { value: true });
  win.ChatWidget = Object.freeze(api);
  replay(api, Array.isArray(existing?.q) ? (existing.q as QueuedCall[]) : [], report);
  if (!api.widget) autoInit(api, script);
  return api;
}

/**
 * The <script> element running now. Document is [LegacyOverrideBuiltIns]: markup such as
 * `<img name="currentScript" data-api-url=…>` shadows `document.currentScript`, and its data-*
 * attributes would send the visitor token to another API. The accessor on the prototype chain
 * is the real one.
 */
export function runningScript(doc: Document): HTMLScriptElement | null {
  for (let proto: object | null = Object.getPrototypeOf(doc); proto; proto = Object.getPrototypeOf(proto)) {
    const get = Object.getOwnPropertyDescriptor(proto, 'currentScript')?.get;
    if (get) {
      const script: unknown = get.call(doc);
      return script instanceof HTMLScriptElement ? script : null;
    }
  }
  return null;
}

/** `<script src=… data-api-url=… data-sign-in-url=… data-persist=… data-position=… data-color-scheme=…>` */
function autoInit(api: ChatWidgetApi, script: Element | null): void {
  const data = (script as HTMLElement | null)?.dataset;
  if (!data?.['apiUrl']) return;
  const options: Record<string, unknown> = { apiUrl: data['apiUrl'] };
  for (const key of ['signInUrl', 'persist', 'position'] as const) if (data[key]) options[key] = data[key];
  if (data['colorScheme']) options['theme'] = { colorScheme: data['colorScheme'] };
  try {
    api.init(options as unknown as ChatWidgetOptions);
  } catch (error) {
    report(error);
  }
}
