import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File in the data folder that holds the master key when QUINCER_MASTER_KEY is not set. */
export const MASTER_KEY_FILE = 'master.key';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;

/**
 * Decodes a master key given as 64 hex characters or as base64/base64url of 32
 * bytes. Anything else is a programmer mistake and throws a TypeError that says
 * how to make a valid key.
 */
export function parseMasterKey(value: string, source: string): Buffer {
  const text = value.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) key = Buffer.from(text.replace(/=+$/, ''), 'base64url');
  if (!key || key.length !== KEY_BYTES) {
    throw new TypeError(
      `${source} must be a 32-byte key written as 64 hex characters or 43 base64url characters; ` +
        `make one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  return key;
}

/**
 * The master key for secrets at rest: an explicit value (option or environment
 * variable) wins; otherwise the key file in the data folder, created with
 * owner-only permissions on first start. A key file others can read is
 * refused, because anyone who reads it can decrypt the HMAC secret.
 */
export function loadMasterKey(options: { explicit?: string | undefined; dataDir: string }): Buffer {
  if (options.explicit !== undefined && options.explicit !== '') {
    return parseMasterKey(options.explicit, 'The master key (QUINCER_MASTER_KEY or the masterKey option)');
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  if (!existsSync(path)) {
    const key = randomBytes(KEY_BYTES);
    writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    // The process umask cannot widen 0600, but an odd filesystem might; make it explicit.
    chmodSync(path, 0o600);
    return key;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new Error(`The key file ${path} is readable by other users; run: chmod 600 ${path}`);
  }
  return parseMasterKey(readFileSync(path, 'utf8'), `The key file ${path}`);
}

/** AES-256-GCM sealing of small secrets (the HMAC secret) under the master key. */
export interface SecretBox {
  seal(plaintext: string, purpose: string): Buffer;
  /** Throws when the data was sealed under another key or was altered. */
  open(sealed: Buffer, purpose: string): string;
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== KEY_BYTES) throw new TypeError('createSecretBox needs a 32-byte master key');
  const key = Buffer.from(masterKey);
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // Binding the purpose stops a sealed value being moved to another column.
      cipher.setAAD(Buffer.from(`quincer:${purpose}:v${FORMAT_VERSION}`));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed, purpose) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
        throw new Error('The stored secret is not in a format this version understands.');
      }
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(`quincer:${purpose}:v${FORMAT_VERSION}`));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** SPEC §3: 32 random bytes shown base64url-encoded (43 characters). */
export function generateHmacSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** An admin token for the console: 32 random bytes, base64url. */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url');
}
