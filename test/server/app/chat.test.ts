import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerReply, ChatStreamEvents, RefusalReply } from '../../../src/protocol/chat.js';
import { forgeSignature } from '../../helpers/tokens.js';
import { ADMIN_PATH, SITE_ORIGIN, leakedLines, newMessageId, startHarness, type ChatResult, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type TokenState = 'none' | 'valid' | 'expired' | 'forged' | 'lacking-claim';
const TOKEN_STATES: TokenState[] = ['none', 'valid', 'expired', 'forged', 'lacking-claim'];

/** A fresh token per call, for sub `dave` (no demo account), so the matrix never changes demo data. */
async function tokenFor(state: TokenState, sub = 'dave'): Promise<string | null> {
  switch (state) {
    case 'none':
      return null;
    case 'valid':
      return h.token({ sub, email: `${sub}@example.com` });
    case 'expired':
      return h.token({ sub, email: `${sub}@example.com` }, { expiresIn: -3600 });
    case 'forged': {
      const token = forgeSignature(await h.token({ sub, email: `${sub}@example.com` }));
      h.sensitive.add(token);
      return token;
    }
    case 'lacking-claim':
      return h.token({ sub });
  }
}

interface ToolCase {
  tool: string;
  question: string;
  kind: 'knowledge-base' | 'public' | 'secure';
  requiredClaims: string[];
}
const TOOL_CASES: ToolCase[] = [
  { tool: 'business-hours', question: 'What are your business hours?', kind: 'knowledge-base', requiredClaims: [] },
  { tool: 'order-status', question: 'Where is order #ABC123?', kind: 'public', requiredClaims: [] },
  { tool: 'package-tracking', question: 'Can you track package 1Z999AA10123456784?', kind: 'public', requiredClaims: [] },
  { tool: 'account-balance', question: "What's my account balance?", kind: 'secure', requiredClaims: ['userId'] },
  { tool: 'my-orders', question: 'Show my orders', kind: 'secure', requiredClaims: ['userId'] },
  { tool: 'cancel-subscription', question: 'Cancel my latest subscription', kind: 'secure', requiredClaims: ['userId', 'email'] },
];

const EXPECTED_REASON: Record<Exclude<TokenState, 'valid' | 'lacking-claim'>, string> = {
  none: 'missing-token',
  expired: 'expired',
  forged: 'bad-signature',
};

function expectWellFormedStream(result: ChatResult): void {
  const names = result.events.map((e) => e.event);
  expect(names[0]).toBe('start');
  expect(names.at(-1)).toBe('end');
  expect(names.slice(1, -1).every((n) => n === 'delta')).toBe(true);
  const start = result.events[0]!.data as ChatStreamEvents['start'];
  const end = result.events.at(-1)!.data as ChatStreamEvents['end'];
  expect(start).toEqual({ conversationId: end.conversationId, messageId: end.messageId, replyId: end.reply.id });
  const deltas = result.events.slice(1, -1).map((e) => (e.data as ChatStreamEvents['delta']).text);
  if (end.reply.type === 'answer') {
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(end.reply.text);
  } else {
    expect(deltas).toEqual([]);
  }
}

describe.each([
  ['JSON', false],
  ['SSE', true],
])('/v1/chat in %s: every tool class × every token state', (_mode, sse) => {
  for (const toolCase of TOOL_CASES) {
    it.each(TOKEN_STATES)(`${toolCase.tool} (${toolCase.kind}) with token %s`, async (state) => {
      const token = await tokenFor(state);
      const messageId = newMessageId();
      const result = await h.chat({ conversationId: null, messageId, text: toolCase.question }, { token, sse });
      expect(result.status).toBe(200);
      if (sse) {
        expect(result.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expectWellFormedStream(result);
      } else {
        expect(result.headers.get('content-type')).toMatch(/^application\/json/);
      }
      expect(result.body.messageId).toBe(messageId);
      expect(result.body.conversationId).toMatch(/^[0-9a-f-]{36}$/);
      const reply = result.body.reply;

      const refusedFor =
        toolCase.kind !== 'secure'
          ? null
          : state === 'valid'
            ? null
            : state === 'lacking-claim'
              ? toolCase.requiredClaims.includes('email')
                ? 'missing-claim'
                : null
              : EXPECTED_REASON[state];
      if (refusedFor === null) {
        expect(reply).toMatchObject({ type: 'answer', tool: toolCase.tool });
        expect((reply as AnswerReply).text.length).toBeGreaterThan(10);
      } else {
        const refusal = reply as RefusalReply;
        expect(refusal).toMatchObject({ type: 'refusal', tool: toolCase.tool, reason: refusedFor });
        expect(refusal.message).toMatch(/\.$/);
        if (token) expect(refusal.message).not.toContain(token);
        if (refusedFor === 'missing-claim') expect(refusal.missingClaims).toEqual(['email']);
        else expect(refusal.missingClaims).toBeUndefined();
      }
    });
  }
});

describe('answers', () => {
  it('secure tools receive the verified identity and read that account', async () => {
    const alice = await h.token({ sub: 'alice', email: 'alice@example.com' });
    const bob = await h.token({ sub: 'bob', email: 'bob@example.com' });
    const ask = async (token: string, text: string) =>
      ((await h.chat({ messageId: newMessageId(), text }, { token })).body.reply as AnswerReply).text;
    expect(await ask(alice, "What's my balance?")).toBe('Your account balance is $1,284.50.');
    expect(await ask(bob, "What's my balance?")).toBe('Your account balance is $42.00.');
    expect(await ask(alice, 'Show my orders')).toContain('#ABC123: Trail running shoes');
    expect(await ask(bob, 'Show my orders')).toContain('#GHI789: Camping stove');
    const stranger = await h.token({ sub: 'zed' });
    expect(await ask(stranger, "What's my balance?")).toMatch(/couldn't find an account/);
  });

  it('cancelling a subscription happens once; a retry returns the stored reply', async () => {
    const bob = await h.token({ sub: 'bob', email: 'bob@example.com' });
    const messageId = newMessageId();
    const first = await h.chat({ messageId, text: 'Please cancel my subscription' }, { token: bob });
    expect((first.body.reply as AnswerReply).text).toMatch(/^Done: your Basic subscription/);
    expect((first.body.reply as AnswerReply).text).toContain('bob@example.com');
    const retry = await h.chat({ messageId, text: 'Please cancel my subscription' }, { token: bob });
    expect(retry.body).toEqual(first.body);
    const later = await h.chat({ messageId: newMessageId(), text: 'cancel my subscription' }, { token: bob });
    expect((later.body.reply as AnswerReply).text).toMatch(/already cancelled/);
    const carol = await h.token({ sub: 'carol', email: 'carol@example.com' });
    const none = await h.chat({ messageId: newMessageId(), text: 'cancel my subscription' }, { token: carol });
    expect((none.body.reply as AnswerReply).text).toMatch(/don't have an active subscription/);
  });

  it('public lookups answer for unknown numbers too, and the fallback lists what the assistant can do', async () => {
    const unknown = await h.chat({ messageId: newMessageId(), text: 'where is order #ZZZ999' });
    expect(unknown.body.reply).toMatchObject({ type: 'answer', tool: 'order-status' });
    expect((unknown.body.reply as AnswerReply).text).toMatch(/couldn't find order #ZZZ999/);
    const trackWithout = await h.chat({ messageId: newMessageId(), text: 'I want to track my package' });
    expect((trackWithout.body.reply as AnswerReply).text).toMatch(/tracking number/);
    const fallback = await h.chat({ messageId: newMessageId(), text: 'Hello there' });
    expect(fallback.body.reply.type).toBe('answer');
    expect((fallback.body.reply as AnswerReply).tool).toBeUndefined();
    for (const phrase of ['business hours', 'order', 'track', 'balance', 'orders', 'subscription']) {
      expect((fallback.body.reply as AnswerReply).text).toContain(phrase);
    }
  });
});

describe('idempotency by messageId', () => {
  it('a retry returns the stored reply and never stores a second message', async () => {
    const messageId = newMessageId();
    const first = await h.chat({ conversationId: null, messageId, text: 'What are your business hours?' });
    // The response was "lost": the client retries without knowing the conversation id.
    const retry = await h.chat({ conversationId: null, messageId, text: 'What are your business hours?' });
    expect(retry.body).toEqual(first.body);
    const again = await h.chat({ conversationId: first.body.conversationId, messageId, text: 'What are your business hours?' }, { sse: true });
    expect(again.body).toEqual(first.body);
    const history = (await (await h.history(first.body.conversationId)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
  });

  it('concurrent duplicates store one turn', async () => {
    const messageId = newMessageId();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.chat({ messageId, text: 'Where is order #DEF456?' })),
    );
    const ids = new Set(results.map((r) => `${r.body.conversationId}/${r.body.reply.id}`));
    expect(ids.size).toBe(1);
    const history = (await (await h.history(results[0]!.body.conversationId)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
  });

  it('the same messageId with other text, or in another conversation, is a 409 and stores nothing', async () => {
    const messageId = newMessageId();
    const first = await h.chat({ messageId, text: 'Where is order #ABC123?' });
    const otherText = await h.chat({ messageId, text: 'Where is order #DEF456?' });
    expect(otherText.status).toBe(409);
    expect(otherText.body.error?.code).toBe('message-id-conflict');
    const other = await h.chat({ messageId: newMessageId(), text: 'hi' });
    const otherConversation = await h.chat({ conversationId: other.body.conversationId, messageId, text: 'Where is order #ABC123?' });
    expect(otherConversation.status).toBe(409);
    const history = (await (await h.history(first.body.conversationId)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
    const reusedReplyId = await h.chat({ messageId: first.body.reply.id, text: 'hello' });
    expect(reusedReplyId.status).toBe(409);
  });

  it('a refused turn stores no reply: re-sending it after sign-in runs the gate again and answers', async () => {
    const messageId = newMessageId();
    const refused = await h.chat({ messageId, text: "What's my balance?" });
    expect(refused.body.reply).toMatchObject({ type: 'refusal', tool: 'account-balance', reason: 'missing-token' });
    const conversationId = refused.body.conversationId;
    const before = (await (await h.history(conversationId)).json()) as { messages: { role: string }[] };
    expect(before.messages.map((m) => m.role)).toEqual(['visitor']);

    const token = await h.token({ sub: 'alice', email: 'alice@example.com' });
    const resent = await h.chat({ conversationId, messageId, text: "What's my balance?" }, { token });
    expect(resent.body.reply).toMatchObject({ type: 'answer', tool: 'account-balance', text: 'Your account balance is $1,284.50.' });
    const retried = await h.chat({ conversationId, messageId, text: "What's my balance?" }, { token, sse: true });
    expect(retried.body).toEqual(resent.body);
    const after = (await (await h.history(conversationId, token)).json()) as { messages: { role: string; id: string }[] };
    expect(after.messages.map((m) => m.role)).toEqual(['visitor', 'assistant']);
    expect(after.messages[0]!.id).toBe(messageId);
  });
});

describe('refusals carry the verifier reason for config and key problems', () => {
  it('config-incomplete when sign-in is off, jwks-fetch-failed when the JWKS URL is unreachable', async () => {
    const token = await h.token({ sub: 'alice', email: 'alice@example.com' });
    const off = await h.admin('PUT', ADMIN_PATH, { mode: 'off', allowedOrigins: [SITE_ORIGIN] });
    expect(off.status).toBe(200);
    const incomplete = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token });
    expect(incomplete.body.reply).toMatchObject({ type: 'refusal', reason: 'config-incomplete' });
    const publicAnswer = await h.chat({ messageId: newMessageId(), text: 'What are your business hours?' }, { token });
    expect(publicAnswer.body.reply.type).toBe('answer');

    const unreachable = await h.admin('PUT', ADMIN_PATH, {
      mode: 'jwks',
      jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json',
      allowedOrigins: [SITE_ORIGIN],
    });
    expect(unreachable.status).toBe(200);
    const failed = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token });
    expect(failed.body.reply).toMatchObject({ type: 'refusal', reason: 'jwks-fetch-failed' });

    const restored = await h.admin('PUT', ADMIN_PATH, { mode: 'jwks', jwksUrl: h.jwks.url, allowedOrigins: [SITE_ORIGIN] });
    expect(restored.status).toBe(200);
    const answered = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token });
    expect(answered.body.reply.type).toBe('answer');
  });
});

describe('logs', () => {
  it('contain no token or secret', () => {
    expect(h.logs.some((line) => line.includes('"reason"'))).toBe(true);
    expect(leakedLines(h)).toEqual([]);
  });
});
