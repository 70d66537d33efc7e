import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryMessage } from '../protocol/chat.js';

/** The SQLite file inside the data folder. */
export const DATABASE_FILE = 'quincer.sqlite';
/** How many messages one history read returns at most (the newest ones). */
export const MAX_HISTORY_MESSAGES = 500;

const SCHEMA_VERSION = 2;
/** Free pages kept for reuse after a purge; the rest go back to the file system (incremental vacuum). */
const KEEP_FREE_PAGES = 1024;
/** The write-ahead log is cut back to this size after each checkpoint. */
const JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS visitor_sign_in (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  config_json TEXT NOT NULL,
  hmac_secret_sealed BLOB,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  owner_sub TEXT,
  created_at TEXT NOT NULL,
  last_active_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  role TEXT NOT NULL CHECK (role IN ('visitor', 'assistant')),
  text TEXT NOT NULL,
  tool TEXT,
  reply_to TEXT UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, seq);
CREATE TABLE IF NOT EXISTS subscription_cancellations (
  sub TEXT PRIMARY KEY,
  cancelled_at TEXT NOT NULL
);
`;
/** After the tables exist in their current shape (a v1 file gains last_active_at first). */
const INDEXES = `
CREATE INDEX IF NOT EXISTS anonymous_by_activity ON conversations (last_active_at) WHERE owner_sub IS NULL;
`;
const MIGRATE_V1 = `
ALTER TABLE conversations ADD COLUMN last_active_at TEXT NOT NULL DEFAULT '';
UPDATE conversations SET last_active_at = COALESCE(
  (SELECT MAX(created_at) FROM messages WHERE conversation_id = conversations.id), created_at);
`;

export interface StoredSignInConfig {
  /** The config without the HMAC secret, as validated JSON. */
  config: Record<string, unknown>;
  /** The HMAC secret sealed by the SecretBox, or null when none is set. */
  hmacSecretSealed: Buffer | null;
}

export interface Conversation {
  id: string;
  /** `sub` of the signed-in visitor who started or claimed it; null while anonymous. */
  ownerSub: string | null;
}

export interface StoredTurn {
  conversationId: string;
  messageId: string;
  text: string;
  /** The stored answer; null when the turn was refused (refusals are not stored). */
  reply: { id: string; text: string; tool: string | null } | null;
}

export interface Store {
  readonly path: string;
  loadSignInConfig(): StoredSignInConfig | null;
  saveSignInConfig(value: StoredSignInConfig): void;
  getConversation(id: string): Conversation | null;
  createConversation(ownerSub: string | null): Conversation;
  claimConversation(id: string, sub: string): void;
  /** The turn a visitor message id belongs to, in any conversation. */
  findTurn(messageId: string): StoredTurn | null;
  /** True when any stored message (visitor or assistant) already uses this id. */
  messageIdTaken(id: string): boolean;
  addVisitorMessage(conversationId: string, messageId: string, text: string): void;
  addReply(conversationId: string, replyTo: string, reply: { id: string; text: string; tool: string | null }): void;
  history(conversationId: string): HistoryMessage[];
  /** Stored messages (visitor and assistant) of one conversation. */
  messageCount(conversationId: string): number;
  /**
   * Deletes up to `limit` anonymous conversations (and their messages) whose
   * last message is older than `idleSince`, in one transaction; returns how
   * many it deleted.
   */
  purgeIdleAnonymous(idleSince: Date, limit: number): number;
  /** Gives free pages beyond a small reserve back to the file system; returns the pages freed. */
  reclaimFreePages(): number;
  /** Page counts of the SQLite file (bench and tests). */
  pages(): { total: number; free: number; pageSize: number };
  subscriptionCancelledAt(sub: string): string | null;
  cancelSubscription(sub: string): string;
  /** Runs fn in one write transaction (better-sqlite3 transactions are synchronous). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DATABASE_FILE);
  const db = new Database(path);
  // Owner-only, like the key file: conversations are personal data. SQLite gives -wal and -shm the same mode.
  chmodSync(path, 0o600);
  const fresh = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
  // Only an empty file can take this without a VACUUM; an older file still reuses its free pages.
  if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Overwrite deleted content, so a replaced config leaves nothing behind in free pages.
  db.pragma('secure_delete = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${path} was written by a newer version of Quincer (schema ${version}); upgrade this package.`);
  }
  db.transaction(() => {
    if (version === 1) db.exec(MIGRATE_V1);
    db.exec(SCHEMA);
    db.exec(INDEXES);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();

  const now = () => new Date().toISOString();
  const statements = {
    loadConfig: db.prepare<[], { config_json: string; hmac_secret_sealed: Buffer | null }>(
      'SELECT config_json, hmac_secret_sealed FROM visitor_sign_in WHERE id = 1',
    ),
    saveConfig: db.prepare<[string, Buffer | null, string]>(
      `INSERT INTO visitor_sign_in (id, config_json, hmac_secret_sealed, updated_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET config_json = excluded.config_json,
         hmac_secret_sealed = excluded.hmac_secret_sealed, updated_at = excluded.updated_at`,
    ),
    getConversation: db.prepare<[string], { id: string; owner_sub: string | null }>(
      'SELECT id, owner_sub FROM conversations WHERE id = ?',
    ),
    createConversation: db.prepare<[string, string | null, string, string]>(
      'INSERT INTO conversations (id, owner_sub, created_at, last_active_at) VALUES (?, ?, ?, ?)',
    ),
    touchConversation: db.prepare<[string, string]>('UPDATE conversations SET last_active_at = ? WHERE id = ?'),
    messageCount: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?'),
    idleAnonymous: db.prepare<[string, number], { id: string }>(
      'SELECT id FROM conversations WHERE owner_sub IS NULL AND last_active_at < ? ORDER BY last_active_at LIMIT ?',
    ),
    deleteMessages: db.prepare<[string]>('DELETE FROM messages WHERE conversation_id = ?'),
    deleteConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ? AND owner_sub IS NULL'),
    claimConversation: db.prepare<[string, string]>(
      'UPDATE conversations SET owner_sub = ? WHERE id = ? AND owner_sub IS NULL',
    ),
    findTurn: db.prepare<
      [string],
      {
        conversation_id: string;
        id: string;
        text: string;
        reply_id: string | null;
        reply_text: string | null;
        reply_tool: string | null;
      }
    >(
      `SELECT v.conversation_id, v.id, v.text, a.id AS reply_id, a.text AS reply_text, a.tool AS reply_tool
       FROM messages v LEFT JOIN messages a ON a.reply_to = v.id
       WHERE v.id = ? AND v.role = 'visitor'`,
    ),
    messageIdTaken: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM messages WHERE id = ?'),
    addMessage: db.prepare<[string, string, string, string, string | null, string | null, string]>(
      `INSERT INTO messages (id, conversation_id, role, text, tool, reply_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    history: db.prepare<[string, number], { id: string; role: 'visitor' | 'assistant'; text: string; tool: string | null; created_at: string }>(
      `SELECT id, role, text, tool, created_at FROM (
         SELECT seq, id, role, text, tool, created_at FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?
       ) ORDER BY seq ASC`,
    ),
    cancelledAt: db.prepare<[string], { cancelled_at: string }>(
      'SELECT cancelled_at FROM subscription_cancellations WHERE sub = ?',
    ),
    cancel: db.prepare<[string, string]>(
      'INSERT INTO subscription_cancellations (sub, cancelled_at) VALUES (?, ?) ON CONFLICT (sub) DO NOTHING',
    ),
  };

  const store: Store = {
    path,
    loadSignInConfig() {
      const row = statements.loadConfig.get();
      if (!row) return null;
      return { config: JSON.parse(row.config_json) as Record<string, unknown>, hmacSecretSealed: row.hmac_secret_sealed };
    },
    saveSignInConfig(value) {
      if ('hmacSecret' in value.config) throw new TypeError('saveSignInConfig: seal the HMAC secret; never store it in config');
      statements.saveConfig.run(JSON.stringify(value.config), value.hmacSecretSealed, now());
    },
    getConversation(id) {
      const row = statements.getConversation.get(id);
      return row ? { id: row.id, ownerSub: row.owner_sub } : null;
    },
    createConversation(ownerSub) {
      const conversation = { id: randomUUID(), ownerSub };
      const at = now();
      statements.createConversation.run(conversation.id, ownerSub, at, at);
      return conversation;
    },
    claimConversation(id, sub) {
      statements.claimConversation.run(sub, id);
    },
    findTurn(messageId) {
      const row = statements.findTurn.get(messageId);
      if (!row) return null;
      return {
        conversationId: row.conversation_id,
        messageId: row.id,
        text: row.text,
        reply: row.reply_id === null ? null : { id: row.reply_id, text: row.reply_text ?? '', tool: row.reply_tool },
      };
    },
    messageIdTaken(id) {
      return statements.messageIdTaken.get(id) !== undefined;
    },
    addVisitorMessage(conversationId, messageId, text) {
      const at = now();
      statements.addMessage.run(messageId, conversationId, 'visitor', text, null, null, at);
      statements.touchConversation.run(at, conversationId);
    },
    addReply(conversationId, replyTo, reply) {
      statements.addMessage.run(reply.id, conversationId, 'assistant', reply.text, reply.tool, replyTo, now());
    },
    history(conversationId) {
      return statements.history.all(conversationId, MAX_HISTORY_MESSAGES).map((row) => {
        const message: HistoryMessage = { id: row.id, role: row.role, text: row.text, createdAt: row.created_at };
        if (row.tool !== null) message.tool = row.tool;
        return message;
      });
    },
    messageCount(conversationId) {
      return statements.messageCount.get(conversationId)!.n;
    },
    purgeIdleAnonymous(idleSince, limit) {
      return db.transaction(() => {
        const ids = statements.idleAnonymous.all(idleSince.toISOString(), limit);
        for (const { id } of ids) {
          statements.deleteMessages.run(id);
          statements.deleteConversation.run(id);
        }
        return ids.length;
      }).immediate();
    },
    reclaimFreePages() {
      const free = db.pragma('freelist_count', { simple: true }) as number;
      if (free <= KEEP_FREE_PAGES || (db.pragma('auto_vacuum', { simple: true }) as number) !== 2) return 0;
      db.pragma(`incremental_vacuum(${free - KEEP_FREE_PAGES})`);
      return free - (db.pragma('freelist_count', { simple: true }) as number);
    },
    pages() {
      return {
        total: db.pragma('page_count', { simple: true }) as number,
        free: db.pragma('freelist_count', { simple: true }) as number,
        pageSize: db.pragma('page_size', { simple: true }) as number,
      };
    },
    subscriptionCancelledAt(sub) {
      return statements.cancelledAt.get(sub)?.cancelled_at ?? null;
    },
    cancelSubscription(sub) {
      statements.cancel.run(sub, now());
      return statements.cancelledAt.get(sub)!.cancelled_at;
    },
    transaction(fn) {
      return db.transaction(fn).immediate();
    },
    close() {
      if (db.open) db.close();
    },
  };
  return store;
}
