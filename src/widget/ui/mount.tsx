/**
 * Mounts the UI in a shadow root on a host element of its own, styled by a
 * constructable stylesheet (adoptedStyleSheets): host CSS cannot reach in,
 * ours cannot leak out, and a strict CSP without 'unsafe-inline' is fine.
 */
import { render } from 'preact';
import type { ResolvedOptions } from '../options.js';
import type { Store } from '../state.js';
import type { UiActions } from './actions.js';
import { App } from './app.js';
import { CSS } from './styles.js';

export const HOST_ATTRIBUTE = 'data-quincer-chat-widget';

export interface Mounted {
  readonly host: HTMLElement;
  readonly shadow: ShadowRoot;
  unmount(): void;
}

function themeProperties(options: ResolvedOptions): Array<[string, string]> {
  const { theme } = options;
  const properties: Array<[string, string | null]> = [
    // The theme option's colours hold in both schemes; CSS on the host can still set *-dark apart.
    ['--qcw-accent', theme.accent],
    ['--qcw-accent-dark', theme.accent],
    ['--qcw-accent-text', theme.accentText],
    ['--qcw-accent-text-dark', theme.accentText],
    ['--qcw-radius', theme.radius],
    ['--qcw-font-family', theme.fontFamily],
    ['--z', String(theme.zIndex)],
  ];
  return properties.filter((entry): entry is [string, string] => entry[1] !== null);
}

export function mountUi(options: ResolvedOptions, store: Store, actions: UiActions): Mounted {
  const host = document.createElement('div');
  host.setAttribute(HOST_ATTRIBUTE, '');
  // CSSOM, not a style attribute: allowed under style-src without 'unsafe-inline'.
  for (const [name, value] of themeProperties(options)) host.style.setProperty(name, value);
  const shadow = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  shadow.adoptedStyleSheets = [sheet];
  // A synchronous <script> in <head> runs before <body> exists: attach once it does.
  const attach = (): void => void (options.container ?? document.body).appendChild(host);
  if (options.container || document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
  render(<App store={store} options={options} actions={actions} />, shadow);
  return {
    host,
    shadow,
    unmount() {
      document.removeEventListener('DOMContentLoaded', attach);
      render(null, shadow);
      host.remove();
    },
  };
}
