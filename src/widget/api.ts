/**
 * The singleton-friendly API (`ChatWidget.init(…)`, SPEC §2.2) over one
 * widget instance. Calls made before init() are kept and applied by init():
 * logout, then identify, then handlers, open state and queued sends.
 */
import { createNanoEvents } from 'nanoevents';
import type { IdentifyInput } from './auth.js';
import { WidgetError } from './errors.js';
import { EVENT_NAMES, type WidgetEventName, type WidgetEvents } from './events.js';
import type { ChatWidgetOptions } from './options.js';
import { describeTokenProblem } from './token.js';
import { createChatWidget, type ChatWidgetInstance, type SendResult } from './widget.js';

/** The public methods, in the order of the pre-load snippet. */
export const API_METHODS = ['init', 'identify', 'logout', 'open', 'close', 'toggle', 'send', 'on', 'destroy'] as const;

export interface ChatWidgetApi {
  /** Creates the widget. Throws TypeError naming a wrong option; call destroy() before a second init(). */
  init(options: ChatWidgetOptions): void;
  identify(input: IdentifyInput): void;
  logout(): void;
  open(): void;
  close(): void;
  toggle(): void;
  send(text: string): Promise<SendResult>;
  on<E extends WidgetEventName>(event: E, handler: WidgetEvents[E]): () => void;
  destroy(): void;
  /** The live widget, or null before init() and after destroy(). */
  readonly widget: ChatWidgetInstance | null;
}

interface QueuedSend {
  text: string;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

export function createChatWidgetApi(): ChatWidgetApi {
  const emitter = createNanoEvents<WidgetEvents>();
  let widget: ChatWidgetInstance | null = null;
  let pendingLogout = false;
  let pendingIdentify: IdentifyInput | null = null;
  let pendingOpen: boolean | null = null;
  let pendingSends: QueuedSend[] = [];

  const api: ChatWidgetApi = {
    get widget() {
      return widget;
    },
    init(options) {
      if (widget) {
        throw new WidgetError('already-initialized', 'ChatWidget.init() was already called; call ChatWidget.destroy() first.');
      }
      const created = createChatWidget(options);
      widget = created;
      for (const name of EVENT_NAMES) {
        created.on(name, ((...args: unknown[]) => (emitter.emit as (e: string, ...a: unknown[]) => void)(name, ...args)) as never);
      }
      if (pendingLogout) created.logout();
      if (pendingIdentify) created.identify(pendingIdentify);
      if (pendingOpen === true) created.open();
      const sends = pendingSends;
      pendingLogout = false;
      pendingIdentify = null;
      pendingOpen = null;
      pendingSends = [];
      for (const queued of sends) created.send(queued.text).then(queued.resolve, queued.reject);
    },
    identify(input) {
      if (widget) return widget.identify(input);
      // Validate now, so a bad token throws where it was passed.
      const problem = describeTokenProblem((input as IdentifyInput | null)?.token);
      if (input === null || typeof input !== 'object' || problem !== null) {
        throw new WidgetError('invalid-token', problem ?? 'identify() takes an object: identify({ token, refresh? }).');
      }
      if (input.refresh !== undefined && typeof input.refresh !== 'function') {
        throw new WidgetError('invalid-argument', 'identify(): refresh must be a function returning a Promise of a fresh token.');
      }
      pendingIdentify = { ...input };
    },
    logout() {
      if (widget) return widget.logout();
      pendingLogout = true;
      pendingIdentify = null;
      for (const queued of pendingSends) queued.reject(new WidgetError('invalid-argument', 'send(): logout() was called before the widget started.'));
      pendingSends = [];
    },
    open() {
      if (widget) widget.open();
      else pendingOpen = true;
    },
    close() {
      if (widget) widget.close();
      else pendingOpen = false;
    },
    toggle() {
      if (widget) widget.toggle();
      else pendingOpen = !pendingOpen;
    },
    send(text) {
      if (widget) return widget.send(text);
      return new Promise((resolve, reject) => pendingSends.push({ text, resolve, reject }));
    },
    on(event, handler) {
      return emitter.on(event, handler);
    },
    destroy() {
      widget?.destroy();
      widget = null;
      pendingIdentify = null;
      pendingLogout = false;
      pendingOpen = null;
      for (const queued of pendingSends) queued.reject(new WidgetError('destroyed', 'send(): the widget was destroyed before it started.'));
      pendingSends = [];
    },
  };
  return api;
}
