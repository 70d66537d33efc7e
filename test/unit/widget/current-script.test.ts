import { afterEach, describe, expect, it } from 'vitest';
import { runningScript } from '../../../src/widget/global-install.js';

afterEach(() => {
  delete (document as unknown as Record<string, unknown>)['currentScript'];
});

describe('runningScript (the auto-init reads its own <script> tag)', () => {
  it('is not fooled by markup that clobbers document.currentScript', () => {
    // Browsers expose <img name="currentScript"> as document.currentScript (Document is
    // [LegacyOverrideBuiltIns]); an own property on the document stands in for that here.
    const img = document.createElement('img');
    img.dataset['apiUrl'] = 'https://attacker.example';
    Object.defineProperty(document, 'currentScript', { value: img, configurable: true });
    expect(document.currentScript).toBe(img);
    expect(runningScript(document)).toBeNull();
  });

  it('returns the script element the document says is running', () => {
    const script = document.createElement('script');
    let owner = Object.getPrototypeOf(document) as object;
    while (!Object.getOwnPropertyDescriptor(owner, 'currentScript')) owner = Object.getPrototypeOf(owner) as object;
    const original = Object.getOwnPropertyDescriptor(owner, 'currentScript')!;
    Object.defineProperty(owner, 'currentScript', { ...original, get: () => script });
    try {
      expect(runningScript(document)).toBe(script);
    } finally {
      Object.defineProperty(owner, 'currentScript', original);
    }
  });
});
