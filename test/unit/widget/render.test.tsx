import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';
import type { ChatWidgetInstance } from '../../../src/widget/index.js';
import { RichText, safeHref } from '../../../src/widget/ui/rich-text.js';
import { shadowOf, widgetFor } from './helpers.js';

let server: RecordingServer;
let widget: ChatWidgetInstance | null = null;
beforeEach(async () => {
  server = await startRecordingServer({ signInUrl: null });
});
afterEach(async () => {
  widget?.destroy();
  widget = null;
  await server.close();
});

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '[click me](javascript:window.__pwned=1)',
  '[data](data:text/html,<script>alert(1)</script>)',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '**<b>bold html</b>**',
].join('\n');

describe('server text renders inert (SPEC §2.7)', () => {
  it('renders markup as text and drops non-http links', async () => {
    server.options.chat = () => ({ type: 'answer', text: HOSTILE });
    widget = widgetFor(server.url);
    await widget.send('hi');
    const reply = shadowOf().querySelector('.assistant')!;
    expect(reply.querySelector('img, script, iframe, b')).toBeNull();
    expect(reply.textContent).toContain('<img src=x onerror="window.__pwned=1">');
    expect(reply.textContent).toContain('<script>');
    for (const anchor of reply.querySelectorAll('a')) expect(anchor.getAttribute('href')).toMatch(/^https?:/);
    expect(reply.querySelectorAll('a')).toHaveLength(0);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    // The formatting subset: bold, with the html inside as text.
    expect(reply.querySelector('strong')!.textContent).toBe('<b>bold html</b>');
  });

  it('renders the safe subset as elements: http(s) links, bold, code, lists', () => {
    const root = document.createElement('div');
    render(
      <RichText text={'See **this** and `code`:\n- one https://example.com/a.\n- two http://example.org/b\n1. first\n2. second'} />,
      root,
    );
    expect(root.querySelector('strong')!.textContent).toBe('this');
    expect(root.querySelector('code')!.textContent).toBe('code');
    expect(root.querySelectorAll('ul > li')).toHaveLength(2);
    expect(root.querySelectorAll('ol > li')).toHaveLength(2);
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a', 'http://example.org/b']);
    for (const link of links) {
      expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(link.getAttribute('target')).toBe('_blank');
    }
  });

  it('safeHref allows only absolute http(s)', () => {
    expect(safeHref('https://a.example/x')).toBe('https://a.example/x');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'vbscript:x', '/relative', '//evil.example']) {
      expect(safeHref(bad)).toBeNull();
    }
  });

  it('shows refusals in plain words, with overridable strings', async () => {
    server.options.chat = () => ({ type: 'refusal', reason: 'config-incomplete', message: '<img src=x>' });
    widget = widgetFor(server.url, { strings: { reasons: { 'config-incomplete': 'Not set up here yet.' } } });
    const blocked = vi.fn();
    widget.on('signin-blocked', blocked);
    const result = await widget.send('balance');
    expect(result.status).toBe('refused');
    const refusal = shadowOf().querySelector('.refusal')!;
    expect(refusal.textContent).toContain('Not set up here yet.');
    // Not curable by signing in: no button, no popup, no sign-in event.
    expect(refusal.querySelector('button')).toBeNull();
    expect(blocked).not.toHaveBeenCalled();
    expect(shadowOf().querySelector('img')).toBeNull();
  });
});

describe('theme', () => {
  it('sets the theme as custom properties on the host (CSSOM, no style attribute markup) for both schemes', () => {
    const widget = widgetFor('http://127.0.0.1:9', { signInUrl: 'https://signin.example.com/s', theme: { accent: '#0a7d4f', zIndex: 5, colorScheme: 'dark' } });
    const host = document.querySelector('[data-quincer-chat-widget]') as HTMLElement;
    expect(host.style.getPropertyValue('--qcw-accent')).toBe('#0a7d4f');
    expect(host.style.getPropertyValue('--qcw-accent-dark')).toBe('#0a7d4f');
    expect(host.style.getPropertyValue('--z')).toBe('5');
    expect(shadowOf().querySelector('.root')!.getAttribute('data-scheme')).toBe('dark');
    widget.destroy();
  });
});
