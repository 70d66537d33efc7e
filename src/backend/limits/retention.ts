import type { Logger } from 'pino';
import type { Store } from '../store.js';
import type { BackendLimits } from './config.js';

export interface Retention {
  /** One full purge now (all batches); resolves with the conversations deleted. */
  purge(): Promise<number>;
  /** Stops the timer; a purge under way stops after its current batch. */
  stop(): void;
}

/**
 * Deletes anonymous conversations idle for longer than
 * `retention.anonymousIdleMs`, every `retention.purgeIntervalMs`, on an
 * unref'd timer (it never keeps the process alive). Each batch of
 * `purgeBatchSize` conversations is one short transaction, and the purge
 * yields to the event loop between batches, so requests are never blocked
 * behind a large purge. Conversations with an owner are kept.
 */
export function startRetention(deps: {
  store: Store;
  retention: BackendLimits['retention'];
  logger: Logger;
  now?: () => number;
}): Retention {
  const { store, retention, logger } = deps;
  const now = deps.now ?? Date.now;
  let stopped = false;
  let running: Promise<number> | null = null;

  async function purgeAll(): Promise<number> {
    let deleted = 0;
    const idleSince = new Date(now() - retention.anonymousIdleMs);
    for (;;) {
      if (stopped) break;
      const batch = store.purgeIdleAnonymous(idleSince, retention.purgeBatchSize);
      deleted += batch;
      if (batch < retention.purgeBatchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (deleted > 0 && !stopped) {
      const freedPages = store.reclaimFreePages();
      logger.info({ event: 'conversations-purged', deleted, freedPages }, 'idle anonymous conversations deleted');
    }
    return deleted;
  }

  const purge = (): Promise<number> => {
    running ??= purgeAll()
      .catch((error: unknown) => {
        logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'conversation purge failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void purge(), retention.purgeIntervalMs);
  timer.unref();
  return {
    purge,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
