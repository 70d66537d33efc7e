import type { Logger } from 'pino';
import { verifierLogger } from './logger.js';
import { DEFAULT_ADMIN_CONFIG, validateAdminConfig, type AdminVisitorSignInConfig } from './admin-config.js';
import type { SecretBox } from './secrets.js';
import type { Store } from './store.js';
import { createVisitorVerifier, type VerifierDeps, type VisitorSignInConfig, type VisitorVerifier } from '../verifier/index.js';

const SECRET_PURPOSE = 'visitor-sign-in.hmacSecret';

/**
 * The live visitor sign-in settings: the config (with the HMAC secret, in
 * memory only), and the verifier built from it. Every change is validated,
 * persisted (secret sealed) and then swaps in a freshly built verifier, so a
 * change of keys or config also drops the verifier's caches.
 */
export interface SignInSettings {
  current(): AdminVisitorSignInConfig;
  verifier(): VisitorVerifier;
  /** Replaces the whole config. The caller has validated it. */
  replace(config: AdminVisitorSignInConfig): void;
}

export function loadSignInSettings(options: {
  store: Store;
  secretBox: SecretBox;
  seedConfig?: Partial<AdminVisitorSignInConfig> | undefined;
  verifierDeps?: Partial<VerifierDeps> | undefined;
  logger: Logger;
}): SignInSettings {
  const { store, secretBox } = options;
  const verifierLog = verifierLogger(options.logger);
  const buildVerifier = (config: AdminVisitorSignInConfig): VisitorVerifier => {
    const { allowedOrigins: _origins, ...signInConfig } = config;
    return createVisitorVerifier(signInConfig as VisitorSignInConfig, { logger: verifierLog, ...options.verifierDeps });
  };
  const persist = (config: AdminVisitorSignInConfig): void => {
    const { hmacSecret, ...withoutSecret } = config;
    store.saveSignInConfig({
      config: withoutSecret,
      hmacSecretSealed: hmacSecret ? secretBox.seal(hmacSecret, SECRET_PURPOSE) : null,
    });
  };

  let config = loadInitialConfig();
  let verifier = buildVerifier(config);

  function loadInitialConfig(): AdminVisitorSignInConfig {
    const stored = store.loadSignInConfig();
    if (stored === null) {
      const seed = validateAdminConfig({ ...DEFAULT_ADMIN_CONFIG, ...options.seedConfig });
      if (!seed.ok) {
        throw new TypeError(`The seed config is invalid: ${describeFields(seed.fields)}`);
      }
      persist(seed.config);
      return seed.config;
    }
    let hmacSecret: string | undefined;
    if (stored.hmacSecretSealed) {
      try {
        hmacSecret = secretBox.open(stored.hmacSecretSealed, SECRET_PURPOSE);
      } catch {
        throw new Error(
          `The HMAC secret in ${store.path} cannot be decrypted with this master key. Start with the key it was stored under ` +
            '(QUINCER_MASTER_KEY, or master.key in the data folder), or generate a new secret after starting with an empty data folder.',
        );
      }
    }
    // A stored config that is risky but loadable still loads: the verifier answers config-incomplete for it.
    const checked = validateAdminConfig(hmacSecret === undefined ? stored.config : { ...stored.config, hmacSecret }, { stored: true });
    if (!checked.ok) {
      throw new Error(`The config stored in ${store.path} is no longer valid: ${describeFields(checked.fields)}`);
    }
    return checked.config;
  }

  return {
    current: () => config,
    verifier: () => verifier,
    replace(next) {
      // Build first: a config the verifier refuses must leave the stored one untouched.
      const nextVerifier = buildVerifier(next);
      persist(next);
      config = next;
      verifier = nextVerifier;
    },
  };
}

function describeFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
}
