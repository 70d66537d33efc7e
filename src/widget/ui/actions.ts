/** What the UI may ask of the widget core. */
export interface UiActions {
  toggle(): void;
  close(): void;
  submit(text: string): void;
  retry(messageId: string): void;
  /** Runs inside the click, so the popup opens under user activation. */
  signIn(refusalId: string): void;
  /** The visitor's Cancel control while a sign-in is pending. */
  cancelSignIn(): void;
}
