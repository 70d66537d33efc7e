/**
 * Retention at the store level, with an injected clock: only conversations
 * idle past the cut-off go, in batches, owned ones never; and the pages a
 * purge frees are reused, so a flood that keeps being purged does not grow
 * the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRetention } from '../../../src/backend/limits/retention.js';
import { openStore, type Store } from '../../../src/backend/store.js';

let dataDir: string;
let store: Store;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quincer-retention-'));
  store = openStore(dataDir);
});
afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const silent = pino({ level: 'silent' });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
let counter = 0;
function talk(conversationId: string, text = 'What are your business hours?'): void {
  const id = `m-${++counter}`;
  store.addVisitorMessage(conversationId, id, text);
  store.addReply(conversationId, id, { id: `r-${counter}`, text: 'We are open 9–17.', tool: null });
}

describe('the purge of idle anonymous conversations', () => {
  it('deletes those idle past the cut-off with their messages, keeps active and owned ones', async () => {
    const idle = store.createConversation(null);
    talk(idle.id);
    const owned = store.createConversation('alice');
    talk(owned.id);
    const active = store.createConversation(null);
    talk(active.id);
    await tick();
    const cutOff = Date.now();
    await tick();
    talk(active.id);

    const retention = startRetention({
      store,
      logger: silent,
      retention: { anonymousIdleMs: 1_000, purgeIntervalMs: 60_000, purgeBatchSize: 10, maxMessagesPerConversation: 200 },
      now: () => cutOff + 1_000,
    });
    try {
      expect(await retention.purge()).toBe(1);
    } finally {
      retention.stop();
    }
    expect(store.getConversation(idle.id)).toBeNull();
    expect(store.history(idle.id)).toEqual([]);
    expect(store.getConversation(owned.id)).not.toBeNull();
    expect(store.history(owned.id)).toHaveLength(2);
    expect(store.history(active.id)).toHaveLength(4);
  });

  it('works in batches of purgeBatchSize, one transaction each', async () => {
    for (let i = 0; i < 5; i++) talk(store.createConversation(null).id);
    const later = new Date(Date.now() + 60_000);
    expect(store.purgeIdleAnonymous(later, 2)).toBe(2);
    expect(store.purgeIdleAnonymous(later, 2)).toBe(2);
    expect(store.purgeIdleAnonymous(later, 2)).toBe(1);
    expect(store.purgeIdleAnonymous(later, 2)).toBe(0);

    for (let i = 0; i < 7; i++) talk(store.createConversation(null).id);
    const retention = startRetention({
      store,
      logger: silent,
      retention: { anonymousIdleMs: 1, purgeIntervalMs: 60_000, purgeBatchSize: 3, maxMessagesPerConversation: 200 },
      now: () => Date.now() + 60_000,
    });
    try {
      expect(await retention.purge()).toBe(7);
    } finally {
      retention.stop();
    }
  });

  it('reuses freed pages: a flood purged between rounds leaves the file no bigger than one round needs', () => {
    const text = 'x'.repeat(2_000);
    const round = () => {
      for (let i = 0; i < 300; i++) talk(store.createConversation(null).id, text);
      store.purgeIdleAnonymous(new Date(Date.now() + 60_000), 1_000);
      return store.pages();
    };
    const first = round();
    expect(first.free).toBeGreaterThan(0);
    const sizes = [first.total];
    for (let i = 0; i < 4; i++) sizes.push(round().total);
    // The later rounds fit in the pages the first one left free.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil(first.total * 1.05));
  });

  it('gives free pages beyond a small reserve back to the file system after a purge', () => {
    const text = 'y'.repeat(3_000);
    for (let i = 0; i < 3_000; i++) talk(store.createConversation(null).id, text);
    const full = store.pages();
    store.purgeIdleAnonymous(new Date(Date.now() + 60_000), 10_000);
    expect(store.pages().free).toBeGreaterThan(1_024);
    expect(store.reclaimFreePages()).toBeGreaterThan(0);
    const after = store.pages();
    expect(after.free).toBe(1_024);
    expect(after.total).toBeLessThan(full.total / 2);
  });
});
