import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResolvedOptions } from '../options.js';
import type { Store } from '../state.js';
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
      <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
    </svg>
  );
}

export function App({ store, options, actions }: Props) {
  const [state, setState] = useState(store.get());
  useEffect(() => store.subscribe(setState), [store]);
  const { strings } = options;
  const launcher = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.open) input.current?.focus();
  }, [state.open]);
  useEffect(() => {
    if (state.focusLauncher > 0) launcher.current?.focus();
  }, [state.focusLauncher]);
  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [state.items]);

  return (
    <div class={`root${options.position === 'bottom-left' ? ' left' : ''}`} data-scheme={options.theme.colorScheme}>
      <section
        id={PANEL_ID}
        class="panel"
        role="dialog"
        aria-label={strings.title}
        hidden={!state.open}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            actions.close();
          }
        }}
      >
        <header class="head">
          <h2>{strings.title}</h2>
          <button type="button" onClick={actions.close} aria-label={strings.close}>
            ✕
          </button>
        </header>
        <div class="log" role="log" aria-live="polite" aria-label={strings.title} ref={log} tabIndex={0}>
          {state.items.length === 0 && <p class="empty">{strings.empty}</p>}
          {state.items.map((item) => (
            <MessageItem key={item.id} item={item} strings={strings} actions={actions} />
          ))}
        </div>
        <Composer strings={strings} inputRef={input} onSubmit={actions.submit} />
      </section>
      <button
        type="button"
        class="launcher"
        ref={launcher}
        aria-expanded={state.open}
        aria-controls={PANEL_ID}
        aria-label={state.open ? strings.launcherClose : strings.launcherOpen}
        onClick={actions.toggle}
      >
        <ChatIcon />
      </button>
    </div>
  );
}
