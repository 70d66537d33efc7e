/** The conversation as the UI sees it: an immutable snapshot and a subscribe. */
import type { RefusalReason } from '../protocol/reasons.js';

/** offer: the Sign-in button; unavailable: curable but no Sign-in URL; never: signing in cannot cure it. */
export type SignInState = 'offer' | 'pending' | 'done' | 'unavailable' | 'never';

export type ConversationItem =
  /** `note` replaces the generic "not sent" line of a failed message (rate-limited: when to try again). */
  | { kind: 'visitor'; id: string; text: string; status: 'sending' | 'sent' | 'failed'; note?: string | undefined }
  | { kind: 'assistant'; id: string; text: string; streaming: boolean; tool?: string }
  | { kind: 'refusal'; id: string; messageId: string; tool: string; reason: RefusalReason; signIn: SignInState }
  | { kind: 'notice'; id: string; text: string };

export interface ViewState {
  readonly open: boolean;
  readonly items: readonly ConversationItem[];
  /** True while the backend checks that a new token may see this conversation: no item is rendered. */
  readonly hidden?: boolean;
  /** Bumped when closing should move focus back to the launcher. */
  readonly focusLauncher: number;
}

export class Store {
  #state: ViewState;
  readonly #listeners = new Set<(state: ViewState) => void>();

  constructor(initial: ViewState) {
    this.#state = initial;
  }

  get(): ViewState {
    return this.#state;
  }

  update(change: (state: ViewState) => Partial<ViewState>): void {
    this.#state = { ...this.#state, ...change(this.#state) };
    for (const listener of this.#listeners) listener(this.#state);
  }

  /** Replaces (or appends) the item with this id. */
  upsert(item: ConversationItem): void {
    this.update(({ items }) => {
      const index = items.findIndex((existing) => existing.id === item.id);
      if (index < 0) return { items: [...items, item] };
      const next = items.slice();
      next[index] = item;
      return { items: next };
    });
  }

  patch<K extends ConversationItem['kind']>(
    id: string,
    kind: K,
    change: Partial<Extract<ConversationItem, { kind: K }>>,
  ): void {
    const found = this.#state.items.find((item) => item.id === id);
    if (found?.kind === kind) this.upsert({ ...found, ...change } as ConversationItem);
  }

  remove(id: string): void {
    this.update(({ items }) => ({ items: items.filter((item) => item.id !== id) }));
  }

  subscribe(listener: (state: ViewState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
