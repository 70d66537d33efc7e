/** The public API's types: wrong calls must not compile (checked by `tsc --noEmit`, run in `npm test`). */
import { describe, expect, it } from 'vitest';
import { ChatWidget, createChatWidget, type ChatWidgetInstance, type SendResult } from '../../../src/widget/index.js';

describe('public types', () => {
  it('reject wrong calls at compile time', () => {
    // Only type-checked: never called.
    const calls = (widget: ChatWidgetInstance) => {
      // @ts-expect-error apiUrl is required
      createChatWidget({});
      // @ts-expect-error persist is 'memory' | 'session'
      createChatWidget({ apiUrl: 'https://x.example', persist: 'local' });
      // @ts-expect-error identify takes { token }
      widget.identify('a.b.c');
      // @ts-expect-error refresh returns a Promise of a string
      widget.identify({ token: 'a.b.c', refresh: () => 42 });
      // @ts-expect-error unknown event
      widget.on('opened', () => undefined);
      // @ts-expect-error the message handler receives a message, not a number
      widget.on('message', (message: number) => message);
      // @ts-expect-error send takes text
      void widget.send(42);
      // @ts-expect-error unknown string key
      ChatWidget.init({ apiUrl: 'https://x.example', strings: { nope: 'x' } });
      widget.on('logout', ({ source }) => void (source satisfies 'local' | 'other-tab'));
      widget.on('conversation-reset', ({ reason }) => void (reason satisfies 'identity-changed'));
      // @ts-expect-error conversation-reset carries { reason }, not a string
      widget.on('conversation-reset', (reason: string) => reason);
      // @ts-expect-error rateLimited is a string
      ChatWidget.init({ apiUrl: 'https://x.example', strings: { rateLimited: 7 } });
      const result: Promise<SendResult> = widget.send('hi');
      const unbind: () => void = ChatWidget.on('signin-cancelled', ({ reason }) => void (reason satisfies 'cancelled' | 'dismissed' | 'timeout'));
      return [result, unbind];
    };
    expect(typeof calls).toBe('function');
  });
});
