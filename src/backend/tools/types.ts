/** The verified visitor, exactly as the verifier resolved it (userId is always the token's sub). */
export interface Identity {
  userId: string;
  [claim: string]: unknown;
}

/** What tools may change: the demo's subscription ledger, kept in SQLite. */
export interface SubscriptionLedger {
  subscriptionCancelledAt(sub: string): string | null;
  cancelSubscription(sub: string): string;
}

export interface ToolContext {
  ledger: SubscriptionLedger;
}

interface ToolBase<Args> {
  /** Stable name, sent to the widget in replies and refusals. */
  name: string;
  /** One line for the "what can you do" answer, with an example question. */
  summary: string;
  /** The arguments the deterministic matcher reads from the visitor's text, or null when the tool does not apply. */
  match(text: string): Args | null;
}

/** Runs for anyone: public tools and knowledge-base answers. */
export interface OpenTool<Args = unknown> extends ToolBase<Args> {
  kind: 'knowledge-base' | 'public';
  requiresSignIn: false;
  requiredClaims: readonly [];
  run(args: Args, context: ToolContext): string;
}

/** Runs only for a verified identity holding every required claim, and receives that identity. */
export interface SecureTool<Args = unknown> extends ToolBase<Args> {
  kind: 'secure';
  requiresSignIn: true;
  requiredClaims: readonly string[];
  /** What the tool does, as the end of "so I can …" in a refusal ("show your account balance"). */
  task: string;
  run(args: Args, identity: Identity, context: ToolContext): string;
}

export type Tool = OpenTool<any> | SecureTool<any>;
