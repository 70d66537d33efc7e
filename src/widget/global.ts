/** Script-tag entry (dist/chat-widget.js): defines window.ChatWidget. */
import { installGlobal, runningScript } from './global-install.js';
import { rememberWidgetScript } from './signin/load-flow-script.js';

const script = runningScript(document);
rememberWidgetScript(script);
installGlobal(window as { ChatWidget?: unknown }, script);
