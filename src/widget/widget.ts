/**
 * The ChatWidget core shared by both entry points: options, token, transport,
 * conversation, sign-in on refusal, events, and one dispose path.
 */
import { createNanoEvents, type Emitter } from 'nanoevents';
import { LIMITS, RATE_LIMITED_CODE, type AnswerReply, type RefusalReply } from '../protocol/chat.js';
import { isCurableBySignIn } from '../protocol/reasons.js';
import { Auth, type IdentifyInput } from './auth.js';
import { Conversation } from './conversation.js';
import { conversationDigest, openTabChannel, type TabChannel, type TabSignal } from './cross-tab.js';
import { WidgetError } from './errors.js';
import type { WidgetEvents, WidgetEventName } from './events.js';
import { resolveOptions, type ChatWidgetOptions, type ResolvedOptions } from './options.js';
import { preloadFlow } from './signin/load-flow.js';
import { hasTransientUserActivation, PopupSignIn, type PopupOutcome } from './signin/popup-sign-in.js';
import { createStateStore, type StateStore } from './storage.js';
import { Store } from './state.js';
import { Transport } from './transport.js';
import type { UiActions } from './ui/actions.js';
import { mountUi, type Mounted } from './ui/mount.js';

/** What send() resolves to: a runtime outcome, never a throw. */
export type SendResult =
  | { status: 'answered'; messageId: string; reply: AnswerReply }
  | { status: 'refused'; messageId: string; reply: RefusalReply }
  /** Not answered (network failure or a backend error); the conversation offers Retry. */
  | { status: 'failed'; messageId: string; code: string; message: string }
  /** logout() or destroy() ended the conversation first. */
  | { status: 'aborted'; messageId: string };

/** The methods a widget instance and the ChatWidget global share (SPEC §2.2, pinned names). */
export interface ChatWidgetMethods {
  identify(input: IdentifyInput): void;
  logout(): void;
  open(): void;
  close(): void;
  toggle(): void;
  send(text: string): Promise<SendResult>;
  on<E extends WidgetEventName>(event: E, handler: WidgetEvents[E]): () => void;
  destroy(): void;
}

export interface ChatWidgetInstance extends ChatWidgetMethods {
  readonly isOpen: boolean;
  readonly isIdentified: boolean;
}

/** The refused messages waiting on one popup transaction (refusal id → turn). */
interface SignInWaiting {
  readonly promise: Promise<PopupOutcome>;
  readonly refusals: Map<string, Turn>;
}

interface Turn {
  readonly messageId: string;
  readonly text: string;
  /** At most one automatic popup per refused message. */
  autoSignInUsed: boolean;
}

export function createChatWidget(options: ChatWidgetOptions): ChatWidgetInstance {
  return new WidgetCore(options);
}

/** For the singleton API: the widget emits on the API's emitter, whose handlers outlive one widget. */
export function createChatWidgetOn(options: ChatWidgetOptions, emitter: Emitter<WidgetEvents>): ChatWidgetInstance {
  return new WidgetCore(options, emitter);
}

class WidgetCore implements ChatWidgetInstance {
  readonly #options: ResolvedOptions;
  readonly #emitter: Emitter<WidgetEvents>;
  readonly #stored: StateStore;
  readonly #auth: Auth;
  readonly #transport: Transport;
  readonly #view: Store;
  readonly #mounted: Mounted;
  readonly #turns = new Map<string, Turn>();
  readonly #disposers = new Set<() => void>();
  readonly #conversation: Conversation;
  readonly #tabs: TabChannel;
  #popup: PopupSignIn | null = null;
  #signInWaiting: SignInWaiting | null = null;
  #signInUrl: string | null;
  #configRequest: Promise<string | null> | null = null;
  #destroyed = false;

  constructor(input: ChatWidgetOptions, sharedEmitter?: Emitter<WidgetEvents>) {
    const options = resolveOptions(input);
    this.#emitter = sharedEmitter ?? createNanoEvents<WidgetEvents>();
    this.#options = options;
    this.#signInUrl = options.signInUrl;
    this.#stored = createStateStore(options.persist);
    this.#auth = new Auth(this.#stored, {
      onIdentified: (source) => this.#emit('identify', { source, refreshable: this.#auth.canRefresh }),
      onRefreshFailed: (message) => this.#emit('error', { code: 'refresh-failed', message }),
      now: () => Date.now(),
    });
    this.#transport = new Transport(options.apiUrl, () => this.#auth.token);
    this.#view = new Store({ open: false, items: [], focusLauncher: 0 });
    this.#conversation = new Conversation(this.#stored, this.#view, this.#transport, {
      onForgotten: (id, shown) => {
        for (const messageId of shown) this.#turns.delete(messageId);
        this.#emit('conversation-reset', { reason: 'identity-changed' });
        // The site's other tabs that show the same conversation clear it too.
        if (id !== null) void conversationDigest(id).then((digest) => this.#destroyed || this.#tabs.post({ type: 'ended', digest }));
      },
    });
    this.#mounted = mountUi(options, this.#view, this.#uiActions());
    this.#tabs = openTabChannel(options.apiUrl, (signal) => void this.#onTabSignal(signal));

    this.#disposers.add(() => this.#conversation.dispose());
    this.#disposers.add(() => this.#tabs.close());
    this.#disposers.add(() => this.#auth.dispose());
    this.#disposers.add(() => this.#popup?.dispose());
    this.#disposers.add(() => this.#mounted.unmount());
    // A shared emitter belongs to the API; after destroy() this widget simply emits nothing more.
    if (!sharedEmitter) this.#disposers.add(() => (this.#emitter.events = {}));

    // A microtask later, so identify() called right after creation (the queued pattern) is on these requests too.
    void Promise.resolve().then(() => {
      if (this.#destroyed) return;
      void this.#conversation.check(false);
      if (this.#signInUrl === null) void this.#resolveSignInUrl();
      this.#emit('ready');
    });
  }

  get isOpen(): boolean {
    return this.#view.get().open;
  }

  get isIdentified(): boolean {
    return this.#auth.token !== null;
  }

  identify(input: IdentifyInput): void {
    if (this.#destroyed) return;
    this.#identify(input, 'identify');
  }

  logout(): void {
    this.#logout('local');
  }

  open(): void {
    if (this.#destroyed || this.isOpen) return;
    this.#view.update(() => ({ open: true }));
    this.#emit('open');
  }

  close(): void {
    this.#close(false);
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  send(text: string): Promise<SendResult> {
    if (this.#destroyed) {
      return Promise.reject(new WidgetError('destroyed', 'send(): this widget was destroyed; create a new one.'));
    }
    if (typeof text !== 'string' || text.trim() === '') {
      return Promise.reject(new WidgetError('invalid-argument', 'send(text): text must be a non-empty string.'));
    }
    if (text.length > LIMITS.maxMessageChars) {
      return Promise.reject(
        new WidgetError('invalid-argument', `send(text): text is longer than ${LIMITS.maxMessageChars} characters.`),
      );
    }
    const turn: Turn = { messageId: crypto.randomUUID(), text, autoSignInUsed: false };
    this.#turns.set(turn.messageId, turn);
    this.#view.upsert({ kind: 'visitor', id: turn.messageId, text, status: 'sending' });
    this.#emit('message', { role: 'visitor', id: turn.messageId, text });
    return this.#runTurn(turn, false);
  }

  on<E extends WidgetEventName>(event: E, handler: WidgetEvents[E]): () => void {
    if (this.#destroyed) return () => undefined;
    return this.#emitter.on(event, handler);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const dispose of this.#disposers) dispose();
    this.#disposers.clear();
    this.#turns.clear();
  }

  #emit<E extends WidgetEventName>(event: E, ...args: Parameters<WidgetEvents[E]>): void {
    if (!this.#destroyed) this.#emitter.emit(event, ...args);
  }

  #close(returnFocus: boolean): void {
    if (this.#destroyed || !this.isOpen) return;
    const focusInside = returnFocus || this.#mounted.shadow.activeElement !== null;
    this.#view.update((state) => ({ open: false, focusLauncher: state.focusLauncher + (focusInside ? 1 : 0) }));
    this.#emit('close');
  }

  #uiActions(): UiActions {
    return {
      toggle: () => this.toggle(),
      close: () => this.#close(true),
      submit: (text) => void this.send(text).catch(() => undefined),
      retry: (messageId) => {
        const turn = this.#turns.get(messageId);
        if (turn && !this.#destroyed) void this.#runTurn(turn, false);
      },
      signIn: (refusalId) => {
        const refusal = this.#view.get().items.find((item) => item.id === refusalId);
        const turn = refusal?.kind === 'refusal' ? this.#turns.get(refusal.messageId) : undefined;
        if (refusal?.kind !== 'refusal' || !turn) return;
        if (!this.#startSignIn(turn, refusalId)) {
          this.#emit('signin-blocked', { reason: refusal.reason, tool: refusal.tool });
        }
      },
      cancelSignIn: () => this.#popup?.cancel(),
    };
  }

  /**
   * A token from identify() or a popup sign-in. Another token than the one held asks the backend
   * whether it may read the conversation on screen (an anonymous one is readable by anyone, so a
   * first sign-in keeps it); a refresh from the widget's own provider is the same visitor and skips this.
   */
  #identify(input: unknown, source: 'identify' | 'signin'): void {
    const before = this.#auth.token;
    this.#auth.identify(input, source);
    if (before !== null && before !== this.#auth.token) void this.#conversation.check(true);
  }

  /** Forgets the token and the conversation; a local logout tells the site's other tabs. */
  #logout(source: 'local' | 'other-tab'): void {
    if (this.#destroyed) return;
    this.#auth.logout();
    this.#popup?.dispose();
    this.#stored.clear();
    this.#restartConversation();
    this.#emit('logout', { source });
    if (source === 'local') this.#tabs.post({ type: 'logout' });
  }

  async #onTabSignal(signal: TabSignal): Promise<void> {
    if (signal.type === 'logout') return this.#logout('other-tab');
    const { id } = this.#conversation;
    if (id !== null && signal.digest === (await conversationDigest(id)) && id === this.#conversation.id && !this.#destroyed) {
      this.#restartConversation();
      this.#emit('conversation-reset', { reason: 'identity-changed' });
    }
  }

  #restartConversation(): void {
    this.#configRequest = null;
    this.#turns.clear();
    this.#conversation.end();
  }

  /** The Sign-in URL from the options, else from the backend's public widget config. */
  #resolveSignInUrl(): Promise<string | null> {
    if (this.#signInUrl !== null) return Promise.resolve(this.#signInUrl);
    this.#configRequest ??= this.#transport.widgetConfig(this.#conversation.signal).then((config) => {
      if (!config) {
        this.#configRequest = null;
        return null;
      }
      this.#signInUrl = httpUrlOrNull(config.signInUrl);
      return this.#signInUrl;
    });
    return this.#configRequest;
  }

  async #runTurn(turn: Turn, refreshed: boolean): Promise<SendResult> {
    const { messageId } = turn;
    const aborted: SendResult = { status: 'aborted', messageId };
    // Nothing is sent while an identity check runs; a message of the conversation it removed is not sent at all.
    await this.#conversation.ready();
    if (this.#turns.get(messageId) !== turn) return aborted;
    const conversation = this.#conversation;
    const epoch = conversation.epoch;
    const replyId = `${messageId}:reply`;
    let draft = '';
    this.#view.patch(messageId, 'visitor', { status: 'sending' });
    this.#view.upsert({ kind: 'assistant', id: replyId, text: '', streaming: true });
    const result = await this.#transport.chat(
      { conversationId: conversation.id, messageId, text: turn.text },
      {
        stream: this.#options.stream,
        signal: conversation.signal,
        onStart: (start) => {
          if (epoch === conversation.epoch) conversation.set(start.conversationId);
        },
        onDelta: (text) => {
          if (epoch !== conversation.epoch) return;
          draft += text;
          this.#view.patch(replyId, 'assistant', { text: draft });
        },
      },
    );
    if (epoch !== this.#conversation.epoch) return aborted;

    if (!result.ok) {
      this.#view.remove(replyId);
      if (result.kind === 'aborted') return aborted;
      if (result.kind === 'http' && result.code === 'expired' && (await this.#refreshed(refreshed, result.usedToken, epoch))) {
        return this.#runTurn(turn, true);
      }
      if (epoch !== this.#conversation.epoch) return aborted;
      // Gone (expired and purged) or not this token's: Retry starts a new conversation instead of failing again.
      if (result.kind === 'http' && result.code === 'conversation-not-found') conversation.lost();
      const { strings } = this.#options;
      const limited = result.kind === 'http' && result.code === RATE_LIMITED_CODE;
      const failure =
        result.kind === 'network'
          ? { code: 'network', message: strings.sendFailed }
          : { code: result.code, message: limited ? strings.rateLimited.replace('{seconds}', String(result.retryAfter)) : result.message };
      // Said once, with Retry for when the visitor is ready: a 429 is never retried by itself.
      this.#view.patch(messageId, 'visitor', { status: 'failed', note: limited ? failure.message : undefined });
      this.#emit('error', failure);
      return { status: 'failed', messageId, ...failure };
    }

    const { reply, conversationId } = result.response;
    conversation.set(conversationId);
    this.#view.patch(messageId, 'visitor', { status: 'sent' });
    if (reply.type === 'answer') {
      this.#view.upsert({ kind: 'assistant', id: replyId, text: reply.text, streaming: false, tool: reply.tool });
      this.#emit('message', { role: 'assistant', id: reply.id, reply });
      return { status: 'answered', messageId, reply };
    }
    this.#view.remove(replyId);
    if (reply.reason === 'expired' && (await this.#refreshed(refreshed, result.usedToken, epoch))) {
      return this.#runTurn(turn, true);
    }
    if (epoch !== this.#conversation.epoch) return aborted;
    await this.#showRefusal(turn, reply, epoch);
    this.#emit('message', { role: 'assistant', id: reply.id, reply });
    return { status: 'refused', messageId, reply };
  }

  /** One refresh per refused request; concurrent refusals share the refresh in flight. */
  async #refreshed(alreadyRefreshed: boolean, usedToken: string | null, epoch: number): Promise<boolean> {
    if (alreadyRefreshed || !this.#auth.canRefresh) return false;
    const ok = await this.#auth.refresh(usedToken);
    return ok && epoch === this.#conversation.epoch;
  }

  async #showRefusal(turn: Turn, reply: RefusalReply, epoch: number): Promise<void> {
    const id = `${turn.messageId}:refusal`;
    const base = { kind: 'refusal', id, messageId: turn.messageId, tool: reply.tool, reason: reply.reason } as const;
    const detail = { reason: reply.reason, tool: reply.tool };
    if (!isCurableBySignIn(reply.reason)) {
      this.#view.upsert({ ...base, signIn: 'never' });
      return;
    }
    const signInUrl = await this.#resolveSignInUrl();
    if (epoch !== this.#conversation.epoch) return;
    if (signInUrl === null) {
      this.#view.upsert({ ...base, signIn: 'unavailable' });
      this.#emit('signin-required', detail);
      return;
    }
    this.#view.upsert({ ...base, signIn: 'offer' });
    preloadFlow();
    // window.open outside a user gesture is blocked: open by ourselves only while the send still grants activation.
    if (this.#options.autoSignIn && !turn.autoSignInUsed && hasTransientUserActivation()) {
      turn.autoSignInUsed = true;
      if (this.#startSignIn(turn, id)) return;
    }
    this.#emit('signin-blocked', detail);
  }

  /** Synchronous up to window.open, so it runs under the click's user activation. */
  #startSignIn(turn: Turn, refusalId: string): boolean {
    if (this.#destroyed || this.#signInUrl === null) return false;
    this.#popup ??= new PopupSignIn({ signInUrl: this.#signInUrl, timeoutMs: this.#options.signInTimeoutMs, relayUrl: this.#options.apiUrl, bearer: () => this.#auth.token });
    const pending = this.#popup.open();
    if (!pending) return false;
    // A second click while the popup is open focuses it and gets the same transaction: one outcome, one re-send per message.
    let waiting = this.#signInWaiting;
    if (waiting?.promise !== pending) {
      // A new popup that replaces a closed one (open() ended it as cancelled) takes over its refused messages.
      const group: SignInWaiting = { promise: pending, refusals: new Map(waiting?.refusals) };
      const epoch = this.#conversation.epoch;
      waiting = this.#signInWaiting = group;
      void pending.then((outcome) => this.#afterSignIn(outcome, group, epoch));
    }
    waiting.refusals.set(refusalId, turn);
    this.#view.patch(refusalId, 'refusal', { signIn: 'pending' });
    return true;
  }

  #afterSignIn(outcome: PopupOutcome, group: SignInWaiting, epoch: number): void {
    if (this.#signInWaiting === group) this.#signInWaiting = null;
    // Replaced by a new popup (the visitor asked again; under COOP the old one reads closed): nothing ended.
    else if (this.#signInWaiting !== null) return;
    if (epoch !== this.#conversation.epoch || this.#destroyed) return;
    const { strings } = this.#options;
    let complete = outcome.status === 'complete';
    if (complete) {
      try {
        this.#identify({ token: (outcome as { token: string }).token }, 'signin');
      } catch {
        complete = false;
      }
    }
    for (const [refusalId, turn] of group.refusals) {
      this.#view.patch(refusalId, 'refusal', { signIn: complete ? 'done' : 'offer' });
      // The token is trusted only once the backend verifies it on this re-sent request.
      if (complete) void this.#runTurn(turn, false);
    }
    if (complete) {
      this.#view.remove(NOTICE_ID);
      this.#emit('signin-complete');
    } else if (outcome.status === 'cancelled' || outcome.status === 'dismissed' || outcome.status === 'timeout') {
      this.#notice(outcome.status === 'timeout' ? strings.signInTimeout : strings.signInCancelled);
      this.#emit('signin-cancelled', { reason: outcome.status });
    }
  }

  /** One sign-in notice at a time, always the latest at the bottom. */
  #notice(text: string): void {
    this.#view.remove(NOTICE_ID);
    this.#view.upsert({ kind: 'notice', id: NOTICE_ID, text });
  }
}

const NOTICE_ID = 'signin-notice';

function httpUrlOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
