/**
 * The singleton-friendly API (`ChatWidget.init(…)`, SPEC §2.2) over one
 * widget instance. Calls made before init() are queued exactly like the
 * pre-load snippet queues them, and init() replays them in order.
 */
import { createNanoEvents } from 'nanoevents';
import { validateIdentify } from './auth.js';
import { WidgetError } from './errors.js';
import type { WidgetEvents } from './events.js';
import type { ChatWidgetOptions } from './options.js';
import { createChatWidgetOn, type ChatWidgetInstance, type ChatWidgetMethods } from './widget.js';

/** The public methods, in the order of the pre-load snippet. */
export const API_METHODS = ['init', 'identify', 'logout', 'open', 'close', 'toggle', 'send', 'on', 'destroy'] as const;
type Method = (typeof API_METHODS)[number];

export interface ChatWidgetApi extends ChatWidgetMethods {
  /** Creates the widget. Throws TypeError naming a wrong option; call destroy() before a second init(). */
  init(options: ChatWidgetOptions): void;
  /** The live widget, or null before init() and after destroy(). */
  readonly widget: ChatWidgetInstance | null;
}

/** One queued call: [method, args, resolve?, reject?] — the snippet's format; `on` calls carry cancelled/unbind. */
export type QueuedCall = [string, unknown[], ((value: unknown) => void)?, ((error: unknown) => void)?] & {
  cancelled?: boolean;
  unbind?: () => void;
};

/** Replays queued calls in order; a failing call rejects its promise or is reported, and the rest still run. */
export function replay(api: ChatWidgetApi, queue: QueuedCall[], report: (error: unknown) => void): void {
  for (const call of queue.splice(0)) {
    const [method, args, resolve, reject] = call;
    if (!Array.isArray(args) || !(API_METHODS as readonly string[]).includes(method) || call.cancelled) continue;
    try {
      const result = (api[method as Method] as (...a: unknown[]) => unknown)(...args);
      if (method === 'send') (result as Promise<unknown>).then(resolve, reject);
      if (method === 'on') call.unbind = result as () => void;
    } catch (error) {
      if (reject) reject(error);
      else report(error);
    }
  }
}

export function createChatWidgetApi(): ChatWidgetApi {
  const emitter = createNanoEvents<WidgetEvents>();
  let widget: ChatWidgetInstance | null = null;
  let pending: QueuedCall[] = [];
  const later = (method: Method, args: unknown[]): void => void pending.push([method, args]);

  const api: ChatWidgetApi = {
    get widget() {
      return widget;
    },
    init(options) {
      if (widget) {
        throw new WidgetError('already-initialized', 'ChatWidget.init() was already called; call ChatWidget.destroy() first.');
      }
      widget = createChatWidgetOn(options, emitter);
      // Queued calls were validated when made; a late failure still must not stop the rest.
      replay(api, pending, (error) => console.error(error));
    },
    identify(input) {
      if (widget) return widget.identify(input);
      // Validated now, so a bad token throws where it was passed.
      validateIdentify(input);
      later('identify', [input]);
    },
    logout: () => (widget ? widget.logout() : later('logout', [])),
    open: () => (widget ? widget.open() : later('open', [])),
    close: () => (widget ? widget.close() : later('close', [])),
    toggle: () => (widget ? widget.toggle() : later('toggle', [])),
    send(text) {
      if (widget) return widget.send(text);
      return new Promise((resolve, reject) => {
        pending.push(['send', [text], resolve as (value: unknown) => void, reject]);
      });
    },
    on: (event, handler) => emitter.on(event, handler),
    destroy() {
      widget?.destroy();
      widget = null;
      for (const [, , , reject] of pending) reject?.(new WidgetError('destroyed', 'send(): the widget was destroyed before it started.'));
      pending = [];
    },
  };
  return api;
}
