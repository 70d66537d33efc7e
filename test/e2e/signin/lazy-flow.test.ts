// The script-tag widget loads its popup flow (chat-widget-signin.js) on first need: not at boot, but once
// a refusal offers sign-in; and if that file cannot load, the visitor is told and the popup closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BALANCE_QUESTION,
  ask,
  newShopContext,
  openChat,
  signInOnForm,
  startHarness,
  waitForConversationText,
  waitForWidgetEvent,
  type Harness,
} from './support.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

describe('the popup flow is loaded on first need', () => {
  it('is not fetched at boot, is fetched once sign-in is offered, from beside chat-widget.js', async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      const page = await context.newPage();
      const scripts: string[] = [];
      page.on('request', (request) => {
        if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
      });
      await page.goto(harness.demo.siteUrl);
      await waitForWidgetEvent(page, 'ready');
      await openChat(page);
      expect(scripts).toContain('/chat-widget.js');
      expect(scripts).not.toContain('/chat-widget-signin.js');
      const opened = page.waitForEvent('popup');
      await ask(page, BALANCE_QUESTION);
      const popup = await opened;
      const closed = popup.waitForEvent('close');
      await signInOnForm(popup, 'alice');
      await closed;
      await waitForConversationText(page, '$1,284.50');
      expect(scripts.filter((path) => path === '/chat-widget-signin.js')).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('when the file cannot load: the popup closes, signin-cancelled, and the console says what to fix', async () => {
    const { context, errors } = await newShopContext(harness);
    try {
      await context.route('**/chat-widget-signin.js', (route) => route.fulfill({ status: 404, body: 'missing' }));
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(harness.demo.siteUrl);
      await waitForWidgetEvent(page, 'ready');
      await openChat(page);
      const opened = page.waitForEvent('popup');
      await ask(page, BALANCE_QUESTION);
      const popup = await opened;
      if (!popup.isClosed()) await popup.waitForEvent('close');
      await waitForWidgetEvent(page, 'signin-cancelled');
      await waitForConversationText(page, /cancelled/i);
      expect(consoleErrors.some((text) => text.includes('chat-widget-signin.js') && text.includes('data-sign-in-script'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
