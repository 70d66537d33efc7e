/**
 * The widget's options, resolved once into a readonly, fully-defaulted object
 * (STYLE §5). A wrong option throws a TypeError naming the option.
 */
import type { RefusalReason } from '../protocol/reasons.js';
import { DEFAULT_STRINGS, type WidgetStrings } from './strings.js';
import { DEFAULT_POPUP_TIMEOUT_MS } from './signin/timing.js';

export type Persist = 'memory' | 'session';
export type Position = 'bottom-right' | 'bottom-left';
export type ColorScheme = 'auto' | 'light' | 'dark';

export interface WidgetTheme {
  /** 'auto' follows prefers-color-scheme. Default 'auto'. */
  colorScheme?: ColorScheme;
  /** Accent colour (launcher, visitor bubbles, buttons), any CSS colour. */
  accent?: string;
  /** Text colour on the accent. */
  accentText?: string;
  /** Corner radius of the panel, any CSS length. */
  radius?: string;
  fontFamily?: string;
  /** z-index of the launcher and panel. Default 2147483000. */
  zIndex?: number;
}

export interface WidgetStringsInput extends Partial<Omit<WidgetStrings, 'reasons'>> {
  reasons?: Partial<Record<RefusalReason, string>>;
}

export interface ChatWidgetOptions {
  /** Base URL of the chat backend, absolute http(s). Required. */
  apiUrl: string;
  /** The customer's Sign-in URL; default: the backend's GET /v1/widget-config. */
  signInUrl?: string | null;
  /** Where the token lives: 'memory' (default) or 'session' (sessionStorage). */
  persist?: Persist;
  /** Element (or CSS selector) the widget is appended to. Default document.body. */
  container?: Element | string;
  theme?: WidgetTheme;
  strings?: WidgetStringsInput;
  /** Corner of the launcher. Default 'bottom-right'. */
  position?: Position;
  /** Overall time limit of a popup sign-in, in ms. Default 120000. */
  signInTimeoutMs?: number;
  /** Stream replies over SSE as they are written. Default true. */
  stream?: boolean;
  /** Open the sign-in popup by itself when the visitor's send still grants user activation. Default true. */
  autoSignIn?: boolean;
}

export interface ResolvedTheme {
  readonly colorScheme: ColorScheme;
  readonly accent: string | null;
  readonly accentText: string | null;
  readonly radius: string | null;
  readonly fontFamily: string | null;
  readonly zIndex: number;
}

export interface ResolvedOptions {
  readonly apiUrl: string;
  readonly signInUrl: string | null;
  readonly persist: Persist;
  readonly container: Element | null;
  readonly theme: ResolvedTheme;
  readonly strings: Readonly<WidgetStrings>;
  readonly position: Position;
  readonly signInTimeoutMs: number;
  readonly stream: boolean;
  readonly autoSignIn: boolean;
}

const KNOWN_OPTIONS = new Set([
  'apiUrl', 'signInUrl', 'persist', 'container', 'theme', 'strings', 'position',
  'signInTimeoutMs', 'stream', 'autoSignIn',
]);
const MAX_TIMEOUT_MS = 2_147_483_647;
export const DEFAULT_SIGN_IN_TIMEOUT_MS = DEFAULT_POPUP_TIMEOUT_MS;
const DEFAULT_Z_INDEX = 2_147_483_000;

function fail(option: string, expected: string): never {
  throw new TypeError(`ChatWidget option "${option}" ${expected}.`);
}

function httpUrl(option: string, value: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(option, 'must be an absolute http(s) URL, e.g. "https://chat.example.com"');
  }
  return url.href;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(option, 'must be true or false');
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function resolveContainer(value: unknown): Element | null {
  if (value === undefined) return null;
  if (typeof value === 'string') {
    const found = typeof document === 'undefined' ? null : document.querySelector(value);
    if (!found) fail('container', `is the selector "${value}", which matches no element`);
    return found;
  }
  if (typeof Element !== 'undefined' && value instanceof Element) return value;
  return fail('container', 'must be an Element or a CSS selector string');
}

const THEME_STRINGS = ['accent', 'accentText', 'radius', 'fontFamily'] as const;

function resolveTheme(value: unknown): ResolvedTheme {
  if (value === undefined) value = {};
  if (!isRecord(value)) fail('theme', 'must be an object');
  const theme: Record<string, unknown> = { colorScheme: 'auto', zIndex: DEFAULT_Z_INDEX };
  for (const [key, given] of Object.entries(value)) {
    const option = `theme.${key}`;
    if (key === 'colorScheme') theme[key] = oneOf(option, given, ['auto', 'light', 'dark'] as const, 'auto');
    else if (key === 'zIndex') {
      if (!Number.isInteger(given)) fail(option, 'must be an integer');
      theme[key] = given;
    } else if ((THEME_STRINGS as readonly string[]).includes(key)) {
      if (typeof given !== 'string' || given === '' || given.length > 200) fail(option, 'must be a non-empty CSS value string');
      theme[key] = given;
    } else fail(option, 'is not a theme option');
  }
  for (const key of THEME_STRINGS) theme[key] ??= null;
  return theme as unknown as ResolvedTheme;
}

/** Copies `given` over `defaults`, accepting only known keys with string values. */
function overrideStrings(path: string, defaults: object, given: unknown): Record<string, unknown> {
  if (!isRecord(given)) fail(path, 'must be an object of strings');
  const result: Record<string, unknown> = { ...defaults };
  for (const [key, text] of Object.entries(given)) {
    const option = `${path}.${key}`;
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) fail(option, 'is not a known string');
    if (key === 'reasons') result[key] = overrideStrings(option, DEFAULT_STRINGS.reasons, text);
    else if (typeof text !== 'string') fail(option, 'must be a string');
    else result[key] = text;
  }
  return result;
}

export function resolveOptions(input: unknown): ResolvedOptions {
  if (!isRecord(input)) throw new TypeError('ChatWidget options must be an object with at least { apiUrl }.');
  for (const key of Object.keys(input)) {
    if (!KNOWN_OPTIONS.has(key)) fail(key, 'is not a ChatWidget option');
  }
  if (input['apiUrl'] === undefined) fail('apiUrl', 'is required: the URL of your chat backend');
  const apiUrl = httpUrl('apiUrl', input['apiUrl']).replace(/\/+$/, '');
  const signInUrl = input['signInUrl'] == null ? null : httpUrl('signInUrl', input['signInUrl']);
  const timeout = input['signInTimeoutMs'] ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS) {
    fail('signInTimeoutMs', 'must be a positive number of milliseconds');
  }
  return {
    apiUrl,
    signInUrl,
    persist: oneOf('persist', input['persist'], ['memory', 'session'] as const, 'memory'),
    container: resolveContainer(input['container']),
    theme: resolveTheme(input['theme']),
    strings: input['strings'] === undefined ? DEFAULT_STRINGS : (overrideStrings('strings', DEFAULT_STRINGS, input['strings']) as unknown as WidgetStrings),
    position: oneOf('position', input['position'], ['bottom-right', 'bottom-left'] as const, 'bottom-right'),
    signInTimeoutMs: timeout,
    stream: bool('stream', input['stream'], true),
    autoSignIn: bool('autoSignIn', input['autoSignIn'], true),
  };
}
