/** Script-tag entry (dist/chat-widget.js): defines window.ChatWidget. */
import { installGlobal } from './global-install.js';

installGlobal(window as { ChatWidget?: unknown }, document.currentScript);
