/**
 * The script-tag build's load-flow.ts: the popup flow (transaction.ts and the
 * relay client) is a second file, chat-widget-signin.js, loaded next to
 * chat-widget.js on first need — from the same URL base as the widget's own
 * script, so a Content-Security-Policy that allows the widget allows it, and
 * with the widget's nonce, or from the widget tag's `data-sign-in-script` (a
 * bundler that renames chat-widget.js renames this file too). The handshake
 * uses no global: the chunk hands its API to the <script> element that loaded it.
 */
import type { SignInFlow } from './load-flow.js';

export type { SignInFlow };

/** The file name next to chat-widget.js. */
export const FLOW_SCRIPT_NAME = 'chat-widget-signin.js';
/** The expando the chunk sets on its own <script> element. */
export const FLOW_PROPERTY = 'quincerSignInFlow';

let widgetScript: HTMLScriptElement | null = null;
let loading: Promise<SignInFlow> | null = null;
let loaded: SignInFlow | null = null;

/** Called by the script-tag entry while it runs, with its own <script> element. */
export function rememberWidgetScript(script: HTMLScriptElement | null): void {
  widgetScript = script;
}

export function loadFlow(): SignInFlow | Promise<SignInFlow> {
  if (loaded) return loaded;
  loading ??= new Promise<SignInFlow>((resolve, reject) => {
    const source = widgetScript?.src;
    // Rejections carry no reason: PopupSignIn ends the transaction as cancelled either way.
    if (!source) {
      reject();
      return;
    }
    const script = document.createElement('script');
    // data-sign-in-script on the widget's tag names the file where a bundler renamed it (a `?url` import).
    script.src = new URL(widgetScript?.dataset['signInScript'] || FLOW_SCRIPT_NAME, source).href;
    script.async = true;
    if (widgetScript?.nonce) script.nonce = widgetScript.nonce;
    script.onload = () => {
      const flow = (script as unknown as Record<string, SignInFlow | undefined>)[FLOW_PROPERTY];
      script.remove();
      if (flow) resolve((loaded = flow));
      else reject();
    };
    script.onerror = () => {
      script.remove();
      // For the site's developer (the visitor is told sign-in did not go through): what to fix.
      console.error(`ChatWidget: cannot load ${script.src}; serve it beside chat-widget.js or set data-sign-in-script.`);
      // The next need tries again.
      loading = null;
      reject();
    };
    document.head.append(script);
  });
  return loading;
}

/** Starts loading ahead of need, so the popup flow is there by the time the visitor signs in. */
export function preloadFlow(): void {
  void Promise.resolve(loadFlow()).catch(() => undefined);
}
