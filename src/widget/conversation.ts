/**
 * The conversation's lifecycle: its id (kept where the token is kept), its
 * history, its end (logout, another tab), and the ownership check that an
 * identify() bringing another token runs (docs/identity-switching.md).
 *
 * The widget never reads claims: only the backend says whether the visitor a
 * token proves may read this conversation. Until it has said so, the
 * transcript is not rendered and no message is sent (`ready()`).
 */
import type { HistoryResponse } from '../protocol/chat.js';
import type { Store } from './state.js';
import type { StateStore } from './storage.js';
import type { Transport } from './transport.js';

export interface ConversationHooks {
  /** The check found the new token may not read it: `id` (null: none yet) is forgotten, `shown` left the DOM. */
  onForgotten(id: string | null, shown: ReadonlySet<string>): void;
}

export class Conversation {
  id: string | null;
  /** Bumped whenever the conversation ends or is forgotten: results of older requests are dropped. */
  epoch = 0;
  #abort = new AbortController();
  readonly #stored: StateStore;
  readonly #view: Store;
  readonly #transport: Transport;
  readonly #hooks: ConversationHooks;
  /** The check in flight, awaited before any message is sent. */
  #checking: Promise<HistoryResponse | number> | null = null;
  /** Bumped by every check and every end: an older check's answer is dropped. */
  #checks = 0;
  /** The stored conversation's history is on screen (or there is none to load). */
  #loaded: boolean;

  constructor(stored: StateStore, view: Store, transport: Transport, hooks: ConversationHooks) {
    this.#stored = stored;
    this.#view = view;
    this.#transport = transport;
    this.#hooks = hooks;
    this.id = stored.get('conversation');
    this.#loaded = this.id === null;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  set(id: string): void {
    if (this.id === id) return;
    this.id = id;
    this.#stored.set('conversation', id);
  }

  /** The backend no longer has it for this token: the next message starts a new one; the transcript stays. */
  lost(): void {
    this.id = null;
    this.#stored.remove('conversation');
  }

  /** Ends it (logout, another tab): requests in flight are dropped, the id forgotten, the transcript removed. */
  end(): void {
    this.#forget();
    this.#view.update(() => ({ items: [], hidden: false }));
  }

  /** Resolves once no ownership check is in flight. */
  async ready(): Promise<void> {
    while (this.#checking) await this.#checking;
  }

  /**
   * Shows the stored conversation's history once the backend lets the current
   * token read it (at start: `changed` false), or, after identify() brought
   * another token (`changed` true), checks that the new token may still read
   * what is shown. Either way nothing renders until the answer: a readable
   * conversation comes back unchanged (the owner's token merely expired counts
   * as readable: the backend only says so to its owner); anything else — not
   * found, another visitor's, no answer at all — is removed and forgotten.
   */
  async check(changed: boolean): Promise<void> {
    const { id } = this;
    const shown = new Set(this.#view.get().items.map((item) => item.id));
    // No conversation yet: nothing to load; after identify(), what is shown (a first message in flight) goes.
    if (id === null && (!changed || shown.size === 0)) return;
    const check = ++this.#checks;
    // With no id there is nothing to ask, and it is settled at once: no send slips in before.
    let answer: HistoryResponse | number = 0;
    if (id !== null) {
      this.#view.update(() => ({ hidden: true }));
      answer = await (this.#checking = this.#transport.history(id, this.#abort.signal));
      // A later check, or the conversation's end, took over.
      if (check !== this.#checks) return;
      this.#checking = null;
    }
    if (typeof answer === 'object') {
      if (!this.#loaded) {
        const earlier = answer.messages.map((message) =>
          message.role === 'visitor'
            ? ({ kind: 'visitor', id: message.id, text: message.text, status: 'sent' } as const)
            : ({ kind: 'assistant', id: message.id, text: message.text, streaming: false, tool: message.tool } as const),
        );
        this.#view.update(({ items }) => ({ items: [...earlier, ...items] }));
      }
      this.#loaded = true;
    } else if (answer !== 401) {
      this.#forget();
      // Messages typed while the check ran belong to the new visitor and stay.
      this.#view.update(({ items }) => ({ items: items.filter((item) => !shown.has(item.id)) }));
      if (changed) this.#hooks.onForgotten(id, shown);
    }
    this.#view.update(() => ({ hidden: false }));
  }

  /** destroy(): requests in flight are dropped; the stored id stays for the next widget. */
  dispose(): void {
    this.epoch++;
    this.#checks++;
    this.#checking = null;
    this.#abort.abort();
    this.#abort = new AbortController();
  }

  #forget(): void {
    this.dispose();
    this.#loaded = true;
    this.id = null;
    this.#stored.remove('conversation');
  }
}
