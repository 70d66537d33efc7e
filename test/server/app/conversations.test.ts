import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryResponse } from '../../../src/protocol/chat.js';
import { forgeSignature } from '../../helpers/tokens.js';
import { leakedLines, newMessageId, startHarness, type Harness } from './harness.js';

let h: Harness;
let alice: string;
let bob: string;
beforeAll(async () => {
  h = await startHarness();
  alice = await h.token({ sub: 'alice', email: 'alice@example.com' });
  bob = await h.token({ sub: 'bob', email: 'bob@example.com' });
});
afterAll(async () => {
  await h?.close();
});

describe('conversation ownership', () => {
  it("a signed-in visitor's conversation is reachable only with a verified token for the same sub", async () => {
    const started = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token: alice });
    expect(started.body.reply.type).toBe('answer');
    const conversationId = started.body.conversationId;

    const own = await h.history(conversationId, alice);
    expect(own.status).toBe(200);
    const history = (await own.json()) as HistoryResponse;
    expect(history.conversationId).toBe(conversationId);
    expect(history.messages.map((m) => [m.role, m.text])).toEqual([
      ['visitor', "What's my balance?"],
      ['assistant', 'Your account balance is $1,284.50.'],
    ]);
    expect(history.messages[1]!.tool).toBe('account-balance');
    expect(Date.parse(history.messages[0]!.createdAt)).not.toBeNaN();

    // Another identity or no token: 404, as if it did not exist.
    for (const token of [bob, null]) {
      const read = await h.history(conversationId, token);
      expect(read.status).toBe(404);
      const readBody = (await read.json()) as { error: { code: string } };
      expect(readBody.error.code).toBe('conversation-not-found');

      const append = await h.chat({ conversationId, messageId: newMessageId(), text: 'What are your business hours?' }, { token });
      expect(append.status).toBe(404);
      expect(append.body.error?.code).toBe('conversation-not-found');
    }
    // Alice's own token, merely expired, learns why, so the widget can refresh it or offer sign-in;
    // it still reads and writes nothing.
    const expired = await h.token({ sub: 'alice', email: 'alice@example.com' }, { expiresIn: -3600 });
    const read = await h.history(conversationId, expired);
    expect(read.status).toBe(401);
    expect(read.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const readBody = (await read.json()) as { error: { code: string; message: string } };
    expect(readBody.error.code).toBe('expired');
    expect(JSON.stringify(readBody)).not.toContain('$1,284.50');
    const append = await h.chat({ conversationId, messageId: newMessageId(), text: 'What are your business hours?' }, { token: expired });
    expect(append.status).toBe(200);
    expect(append.body.conversationId).toBe(conversationId);
    expect(append.body.reply).toMatchObject({ type: 'refusal', tool: 'conversation', reason: 'expired' });

    const missing = await h.history('00000000-0000-4000-8000-000000000000', alice);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(await (await h.history(conversationId, bob)).json());

    // Nothing was appended by the refused attempts.
    const after = (await (await h.history(conversationId, alice)).json()) as HistoryResponse;
    expect(after.messages).toHaveLength(2);
    const appended = await h.chat({ conversationId, messageId: newMessageId(), text: 'Show my orders' }, { token: alice });
    expect(appended.status).toBe(200);
    expect(appended.body.conversationId).toBe(conversationId);
  });

  it("no token tells an owned id from one that does not exist: one 404, byte for byte, unless it is the owner's, expired", async () => {
    const started = await h.chat({ messageId: newMessageId(), text: "What's my balance?" }, { token: alice });
    const owned = started.body.conversationId;
    const random = '5f0e1c1a-3b7d-4c2e-9a51-7d0b8e6f4a21';
    const forged = forgeSignature(alice);
    const bobExpired = await h.token({ sub: 'bob' }, { expiresIn: -3600 });
    const garbage = 'not-a-token';
    const unsignedAsAlice = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'alice', exp: 1 }),
    ).toString('base64url')}.`;
    for (const token of [forged, bobExpired]) h.sensitive.add(token);
    const answer = async (id: string, token: string | null) => {
      const response = await h.history(id, token);
      const headers = ['content-type', 'cache-control', 'www-authenticate', 'content-length', 'vary'].map(
        (name) => `${name}: ${response.headers.get(name)}`,
      );
      return { status: response.status, headers, body: await response.text() };
    };
    const chatAnswer = async (id: string, token: string | null) => {
      const response = await h.chat({ conversationId: id, messageId: newMessageId(), text: 'What are your business hours?' }, { token });
      return { status: response.status, body: response.body };
    };
    const nothing = await answer(random, null);
    expect(nothing.status).toBe(404);
    for (const token of [null, bob, forged, bobExpired, garbage, unsignedAsAlice]) {
      expect(await answer(owned, token)).toEqual(await answer(random, token));
      expect(await answer(owned, token)).toEqual(nothing);
      expect(await chatAnswer(owned, token)).toEqual(await chatAnswer(random, token));
    }
    // Control: alice's own expired token is told why (so the widget refreshes), on an owned id only.
    const aliceExpired = await h.token({ sub: 'alice' }, { expiresIn: -3600 });
    expect((await answer(owned, aliceExpired)).status).toBe(401);
    expect(await answer(random, aliceExpired)).toEqual(nothing);
  });

  it("bob cannot take over alice's conversation by retrying one of her message ids", async () => {
    const messageId = newMessageId();
    const started = await h.chat({ messageId, text: 'Show my orders' }, { token: alice });
    const stolen = await h.chat({ messageId, text: 'Show my orders' }, { token: bob });
    expect(stolen.status).toBe(409);
    expect(JSON.stringify(stolen.body)).not.toContain('Trail running shoes');
    const stolenWithId = await h.chat({ conversationId: started.body.conversationId, messageId, text: 'Show my orders' }, { token: bob });
    expect(stolenWithId.status).toBe(404);
    expect(JSON.stringify(stolenWithId.body)).not.toContain('Trail running shoes');
  });

  it('an anonymous conversation is reachable by its id, and the first verified write claims it', async () => {
    const started = await h.chat({ messageId: newMessageId(), text: 'Where is order #ABC123?' });
    const conversationId = started.body.conversationId;
    expect((await h.history(conversationId)).status).toBe(200);
    expect((await h.history(conversationId, bob)).status).toBe(200);
    const anonymousAppend = await h.chat({ conversationId, messageId: newMessageId(), text: 'What are your business hours?' });
    expect(anonymousAppend.status).toBe(200);

    // A refusal for the anonymous visitor, then sign-in as alice: her verified write claims it.
    const refused = await h.chat({ conversationId, messageId: newMessageId(), text: "What's my balance?" });
    expect(refused.body.reply.type).toBe('refusal');
    const claimed = await h.chat({ conversationId, messageId: newMessageId(), text: "What's my balance?" }, { token: alice });
    expect(claimed.body.reply.type).toBe('answer');

    expect((await h.history(conversationId)).status).toBe(404);
    expect((await h.history(conversationId, bob)).status).toBe(404);
    const own = (await (await h.history(conversationId, alice)).json()) as HistoryResponse;
    expect(own.messages.map((m) => m.role)).toEqual(['visitor', 'assistant', 'visitor', 'assistant', 'visitor', 'visitor', 'assistant']);
    const anonymousAfterClaim = await h.chat({ conversationId, messageId: newMessageId(), text: 'hi' });
    expect(anonymousAfterClaim.status).toBe(404);
  });

  it('a conversation id that is not an id is a 400, not a lookup', async () => {
    const response = await h.chat({ conversationId: '../../etc/passwd', messageId: newMessageId(), text: 'hi' });
    expect(response.status).toBe(400);
    expect(response.body.error?.fields).toHaveProperty('conversationId');
  });
});

describe('logs', () => {
  it('contain no token, and no conversation id (it grants access to anonymous conversations)', async () => {
    const started = await h.chat({ messageId: newMessageId(), text: 'hours?' });
    await h.history(started.body.conversationId);
    expect(h.logs.some((line) => line.includes('/v1/conversations/:id/messages'))).toBe(true);
    expect(h.logs.filter((line) => line.includes(started.body.conversationId))).toEqual([]);
    expect(leakedLines(h)).toEqual([]);
  });
});
