/**
 * Script-tag build of the sign-in page helper (dist/quincer-signin.js):
 * defines `window.QuincerSignIn`. Loading the script twice keeps the first copy.
 */
import * as api from './index.js';

declare global {
  interface Window {
    QuincerSignIn?: typeof api;
  }
}

if (typeof window !== 'undefined' && !window.QuincerSignIn) {
  Object.defineProperty(window, 'QuincerSignIn', {
    value: Object.freeze({ ...api }),
    configurable: false,
    enumerable: true,
    writable: false,
  });
}
