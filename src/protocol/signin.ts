/**
 * The popup sign-in message (SPEC §2.6, pinned): the customer's sign-in page
 * posts this to `window.opener`; the widget adds `quincer_state` to the
 * Sign-in URL and accepts an echoed `state` as a tighter binding.
 */
export const IDENTIFY_MESSAGE_TYPE = 'quincer-identify';
export const STATE_QUERY_PARAM = 'quincer_state';

export interface IdentifyMessage {
  type: typeof IDENTIFY_MESSAGE_TYPE;
  token: string;
  state?: string;
}
