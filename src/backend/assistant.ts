import type { RefusalReason } from '../protocol/reasons.js';
import type { Identity, SecureTool, Tool, ToolContext } from './tools/types.js';
import type { VerifyResult } from '../verifier/index.js';

export type TurnOutcome =
  | { kind: 'answer'; text: string; tool?: string }
  | { kind: 'refusal'; tool: string; reason: RefusalReason; message: string; missingClaims?: string[] };

export interface Assistant {
  /** Answers one visitor message. `verification` is the result for this very request. */
  respond(text: string, verification: VerifyResult, context: ToolContext): TurnOutcome;
}

/**
 * The reference assistant: a deterministic matcher stands in for the model. It
 * picks the first tool whose matcher accepts the text, then applies the tool
 * gate (SPEC §4.3): open tools run for anyone; a secure tool runs only for a
 * verified identity holding every required claim.
 */
export function createAssistant(tools: readonly Tool[]): Assistant {
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new TypeError(`createAssistant: two tools are named "${tool.name}"`);
    names.add(tool.name);
    if (tool.requiresSignIn !== (tool.kind === 'secure')) {
      throw new TypeError(`createAssistant: tool "${tool.name}" must set requiresSignIn exactly when its kind is 'secure'`);
    }
  }
  const capabilities = tools.map((tool) => `- ${tool.summary}`).join('\n');
  const fallback = `I can help with a few things here:\n${capabilities}`;

  return {
    respond(text, verification, context) {
      for (const tool of tools) {
        const args: unknown = tool.match(text);
        if (args === null) continue;
        if (!tool.requiresSignIn) return { kind: 'answer', tool: tool.name, text: tool.run(args, context) };
        if (!verification.ok) {
          return { kind: 'refusal', tool: tool.name, reason: verification.reason, message: refusalMessage(tool, verification.reason) };
        }
        const missingClaims = tool.requiredClaims.filter((claim) => !hasClaim(verification.identity, claim));
        if (missingClaims.length > 0) {
          return {
            kind: 'refusal',
            tool: tool.name,
            reason: 'missing-claim',
            message: refusalMessage(tool, 'missing-claim'),
            missingClaims,
          };
        }
        return { kind: 'answer', tool: tool.name, text: tool.run(args, verification.identity, context) };
      }
      return { kind: 'answer', text: fallback };
    },
  };
}

function hasClaim(identity: Identity, claim: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(identity, claim)) return false;
  const value = identity[claim];
  return value !== undefined && value !== null && value !== '';
}

/** The visitor-facing sentence for a refusal: what happened and what to do next. Never carries token data. */
function refusalMessage(tool: SecureTool, reason: RefusalReason): string {
  const task = tool.task;
  switch (reason) {
    case 'missing-token':
      return `Please sign in so I can ${task}.`;
    case 'expired':
      return `Your sign-in has expired; sign in again so I can ${task}.`;
    case 'bad-signature':
    case 'malformed-token':
      return `I couldn't verify your sign-in; sign in again so I can ${task}.`;
    case 'bad-claim':
      return `Your sign-in isn't accepted by this site, so I can't ${task}; please contact the site's support.`;
    case 'config-incomplete':
      return `Sign-in isn't set up on this site yet, so I can't ${task}; please contact the site's support.`;
    case 'jwks-fetch-failed':
      return `I can't check your sign-in right now, so I can't ${task}; please try again in a few minutes.`;
    case 'missing-claim':
      return `Your account doesn't share the details I need to ${task}; please contact the site's support.`;
  }
}
