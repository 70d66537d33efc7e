/**
 * Injected by build.mjs into the script-tag bundle only, where JSX compiles to
 * preact's h() (varargs children) instead of the automatic runtime: smaller
 * output, same elements. Source files keep the automatic runtime for tsc and tests.
 */
export { h, Fragment } from 'preact';
