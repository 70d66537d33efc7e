import { Component, createRef } from 'preact';
import type { ResolvedOptions } from '../options.js';
import type { Store, ViewState } from '../state.js';
import type { UiActions } from './actions.js';
import { Composer } from './composer.js';
import { MessageItem } from './message-item.js';

interface Props {
  store: Store;
  options: ResolvedOptions;
  actions: UiActions;
}

const PANEL_ID = 'qcw-panel';

function ChatIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M3 4h18v13H9l-5 4v-4H3z" />
    </svg>
  );
}

/** Launcher and panel; renders the store's snapshot and moves focus on open and close. */
export class App extends Component<Props, ViewState> {
  #launcher = createRef<HTMLButtonElement>();
  #input = createRef<HTMLTextAreaElement>();
  #log = createRef<HTMLDivElement>();
  #unsubscribe: (() => void) | undefined;
  #panelBuilt = false;

  constructor(props: Props) {
    super(props);
    this.state = props.store.get();
  }

  override componentDidMount(): void {
    this.#unsubscribe = this.props.store.subscribe((state) => this.setState(state));
  }

  override componentWillUnmount(): void {
    this.#unsubscribe?.();
  }

  override componentDidUpdate(_: Props, previous: ViewState): void {
    if (this.state.open && !previous.open) this.#input.current?.focus();
    if (this.state.focusLauncher !== previous.focusLauncher) this.#launcher.current?.focus();
    const log = this.#log.current;
    if (log && this.state.items !== previous.items) log.scrollTop = log.scrollHeight;
  }

  #onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.props.actions.close();
    }
  };

  render({ options, actions }: Props, state: ViewState) {
    const { strings } = options;
    this.#panelBuilt ||= state.open;
    return (
      <div class={`root${options.position === 'bottom-left' ? ' left' : ''}`} data-scheme={options.theme.colorScheme}>
        {/* The panel is built on first open: boot renders the launcher only. */}
        {this.#panelBuilt && (
        <section id={PANEL_ID} class="panel" role="dialog" aria-label={strings.title} hidden={!state.open} onKeyDown={this.#onKeyDown}>
          {/* A div, not <header>: the host page's own header is its only banner landmark. */}
          <div class="head">
            <h2>{strings.title}</h2>
            <button type="button" onClick={actions.close} aria-label={strings.close}>
              ✕
            </button>
          </div>
          <div class="log" role="log" aria-live="polite" aria-label={strings.title} ref={this.#log} tabIndex={0}>
            {state.items.length === 0 && <p class="empty">{strings.empty}</p>}
            {/* While an identity check runs, the transcript is out of the DOM, not merely invisible. */}
            {!state.hidden && state.items.map((item) => (
              <MessageItem key={item.id} item={item} strings={strings} actions={actions} />
            ))}
          </div>
          <Composer strings={strings} inputRef={this.#input} onSubmit={actions.submit} />
        </section>
        )}
        <button
          type="button"
          class="launcher"
          ref={this.#launcher}
          aria-expanded={state.open}
          aria-controls={this.#panelBuilt ? PANEL_ID : undefined}
          aria-label={state.open ? strings.launcherClose : strings.launcherOpen}
          onClick={actions.toggle}
        >
          <ChatIcon />
        </button>
      </div>
    );
  }
}
