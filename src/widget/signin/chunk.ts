/**
 * Entry of dist/chat-widget-signin.js: the popup flow, handed to the <script>
 * element that load-flow-script.ts created (no global).
 */
import { FLOW_PROPERTY } from './load-flow-script.js';
import { runTransaction } from './transaction.js';

const getter = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript')?.get;
// The prototype's accessor: markup named "currentScript" cannot shadow it (see global-install.ts).
const script: unknown = getter?.call(document);
if (script instanceof HTMLScriptElement) {
  (script as unknown as Record<string, unknown>)[FLOW_PROPERTY] = { runTransaction };
}
