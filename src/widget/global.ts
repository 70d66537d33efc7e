/** Script-tag entry (dist/chat-widget.js): defines window.ChatWidget. */
import { installGlobal, runningScript } from './global-install.js';

installGlobal(window as { ChatWidget?: unknown }, runningScript(document));
