import { createChatWidget, type ChatWidgetOptions } from '../../../src/widget/index.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS-shaped token (unsigned for the widget's purposes: it never verifies). */
export function fakeJwt(claims: Record<string, unknown> = {}): string {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'visitor-1', ...claims })}.${Buffer.from(
    crypto.getRandomValues(new Uint8Array(32)),
  ).toString('base64url')}`;
}

/** A widget on `apiUrl`, JSON mode unless asked; opened, so its conversation is in the DOM (the panel is built on first open). */
export function widgetFor(apiUrl: string, options: Partial<ChatWidgetOptions> = {}, { open = true } = {}) {
  const widget = createChatWidget({ apiUrl, stream: false, ...options });
  if (open) widget.open();
  return widget;
}

export function shadowOf(): ShadowRoot {
  const host = document.querySelector('[data-quincer-chat-widget]');
  if (!host?.shadowRoot) throw new Error('widget not mounted');
  return host.shadowRoot;
}

export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
