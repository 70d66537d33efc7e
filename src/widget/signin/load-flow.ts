/**
 * Where the popup flow after window.open comes from. Here (the ESM build, and
 * the sources the tests run): a static import, available synchronously. The
 * script-tag build swaps this module for load-flow-script.ts (build.mjs), which
 * loads the same code as chat-widget-signin.js on first need.
 */
import { runTransaction } from './transaction.js';

export interface SignInFlow {
  runTransaction: typeof runTransaction;
}

const flow: SignInFlow = { runTransaction };

export function loadFlow(): SignInFlow | Promise<SignInFlow> {
  return flow;
}

/** Starts loading the flow ahead of need (a refusal that offers sign-in). Nothing to do here. */
export function preloadFlow(): void {}
