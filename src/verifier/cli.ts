/**
 * quincer-verify: the Test a token card for terminals and CI pipelines. Runs the
 * same verifier as the backend against a JWKS URL or an HMAC secret taken from
 * the environment, prints the identity tools would see, or the reason with a
 * distinct exit code. The token is never printed, and no secret is ever read
 * from the command line (it would land in shell history and `ps`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LIMITS } from '../protocol/chat.js';
import { PROVIDERS, type IdentityProvider } from '../protocol/providers.js';
import { FAILURE_DETAILS, REASON_HELP, isFailureDetail, type FailureReason } from '../protocol/reasons.js';
import { createVisitorVerifier, validateVisitorSignInConfig, type VerifierLogger, type VerifyResult, type VisitorSignInConfig } from './index.js';

/** One documented exit code per reason (docs/verifier.md, "Test your setup"); 0 verified, 1 unexpected failure, 2 usage. */
const EXIT_CODES = {
  verified: 0,
  internal: 1,
  usage: 2,
  'missing-token': 10,
  'config-incomplete': 11,
  expired: 12,
  'bad-signature': 13,
  'bad-claim': 14,
  'jwks-fetch-failed': 15,
  'malformed-token': 16,
} as const satisfies Record<'verified' | 'internal' | 'usage' | FailureReason, number>;

const HELP = `Usage:
  quincer-verify --jwks-url URL [options] < token.txt
  quincer-verify --provider PROVIDER [preset options] [options] < token.txt
  quincer-verify --hmac-secret-env NAME [options] < token.txt

Verifies a visitor token exactly as the Quincer chat backend does and prints the
identity your tools would see, as JSON on stdout.

The token (read from standard input by default):
  (stdin)                 Pipe the JWT in, e.g. printf '%s' "$TOKEN" | quincer-verify ...
                          Surrounding whitespace is ignored.
  TOKEN                   Also accepted as the last argument, with a warning: arguments are
                          visible to every user of the machine (ps, /proc) and land in shell history.

Mode (exactly one):
  --jwks-url URL          JWT + JWKS mode: the URL of your JWKS (or Firebase's x509 JSON).
                          https://, or http:// on localhost / 127.0.0.1 / ::1.
  --provider PROVIDER     JWT + JWKS mode with a preset: ${PROVIDERS.join(', ')}.
                          See docs/identity-providers.md for what each derives and checks.
  --hmac-secret-env NAME  HMAC mode (HS256): read the shared secret from the environment
                          variable NAME. The secret is never accepted on the command line.

Preset options:
  --auth0-domain D              auth0: your tenant domain (acme.eu.auth0.com) or custom domain
  --cognito-user-pool-id ID     cognito: the user pool id (eu-west-1_AbC123)
  --cognito-token-use USE       cognito: id (default), access or both
  --clerk-frontend-api-url URL  clerk: the Frontend API URL (https://your-app.clerk.accounts.dev)
  --authorized-party ORIGIN     the azp a token must carry (Clerk: your site origin); repeatable
  --firebase-project-id ID      firebase: the project id
  --issuer I                    oidc: the issuer; keys are found by OpenID discovery

Options:
  --issuer I              Require the token's iss to equal I.
  --audience A            Require the token's aud to be (or contain) A; repeat for several
                          accepted values. Cognito: the app client id(s).
  --mapping FILE          Claim mapping: a JSON file { "outputName": "claimName", ... };
                          "userId" may only map to "sub". Without it, every claim except
                          iss/sub/aud/exp/iat/nbf/jti is copied into the identity.
  --allow-http            Accept a plain http:// JWKS URL on a host other than loopback
                          (testing only; keys fetched over http can be swapped in transit).
  --allow-private-networks  Fetch keys from https hosts on private, loopback or link-local
                          addresses (refused by default).
  --verbose               Also print the verifier's log lines (JSON) on stderr.
  -h, --help              Print this help and exit 0.

Output:
  Verified: the identity as JSON on stdout, exit 0.
  Refused: the reason, the detail code, the message, what it means and how to fix it, on stderr.
  Warnings about the settings (an empty Issuer or Audience) are printed on stderr.

Exit codes:
  0   verified
  1   unexpected failure (a bug; please report it)
  2   usage error (unknown or missing option, unreadable --mapping file, invalid setting)
  10  missing-token      no token given (empty stdin)
  11  config-incomplete  the mode is not fully set up (e.g. the --hmac-secret-env variable is
                         empty, or a shared key set without --issuer and --audience)
  12  expired            the token's exp is past (30 s tolerance)
  13  bad-signature      signed with a key the JWKS / secret does not hold (rotated keys, wrong
                         secret), or with another alg than the key declares
  14  bad-claim          iss / aud / azp / client_id / token_use do not match, nbf in the
                         future, no sub, no exp, or a machine-to-machine token
  15  jwks-fetch-failed  the JWKS or discovery document could not be fetched or is not one
  16  malformed-token    not a compact JWS (an encrypted JWE, or not three base64url segments)

Detail codes (printed as "detail:"):
${Object.entries(FAILURE_DETAILS).map(([code, { reason }]) => `  ${code.padEnd(38)}${reason}`).join('\n')}

Examples:
  printf '%s' "$TOKEN" | quincer-verify --provider auth0 --auth0-domain acme.eu.auth0.com \\
    --audience https://api.acme.example
  printf '%s' "$TOKEN" | quincer-verify --provider firebase --firebase-project-id acme-shop
  printf '%s' "$TOKEN" | quincer-verify --provider oidc --issuer https://idp.example.com
  printf '%s' "$TOKEN" | QUINCER_VISITOR_SECRET=... quincer-verify --hmac-secret-env QUINCER_VISITOR_SECRET
`;

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  jwksUrl: '--jwks-url',
  issuer: '--issuer',
  audience: '--audience',
  claimMapping: '--mapping',
  hmacSecret: '--hmac-secret-env',
  provider: '--provider',
  auth0Domain: '--auth0-domain',
  cognitoUserPoolId: '--cognito-user-pool-id',
  cognitoTokenUse: '--cognito-token-use',
  clerkFrontendApiUrl: '--clerk-frontend-api-url',
  authorizedParties: '--authorized-party',
  firebaseProjectId: '--firebase-project-id',
};

/** A usage problem: printed with a pointer to --help, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface CliArgs {
  config: VisitorSignInConfig;
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
  verbose: boolean;
  /** The token argument; null means read stdin. */
  token: string | null;
}

function parseCommandLine(argv: string[]): CliArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'jwks-url': { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string', multiple: true },
        provider: { type: 'string' },
        'auth0-domain': { type: 'string' },
        'cognito-user-pool-id': { type: 'string' },
        'cognito-token-use': { type: 'string' },
        'clerk-frontend-api-url': { type: 'string' },
        'authorized-party': { type: 'string', multiple: true },
        'firebase-project-id': { type: 'string' },
        'allow-private-networks': { type: 'boolean' },
        mapping: { type: 'string' },
        'hmac-secret-env': { type: 'string' },
        'allow-http': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError('Pass one token (or - to read it from stdin).');
  const jwksUrl = values['jwks-url'];
  const secretEnv = values['hmac-secret-env'];
  const provider = values.provider;
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`--provider takes one of ${PROVIDERS.join(', ')}.`);
  }
  const jwksMode = jwksUrl !== undefined || (provider !== undefined && provider !== 'custom');
  if (jwksMode === (secretEnv !== undefined)) {
    throw new UsageError('Choose exactly one mode: --jwks-url URL, --provider PROVIDER, or --hmac-secret-env NAME.');
  }

  const config: VisitorSignInConfig = jwksMode ? { mode: 'jwks' } : { mode: 'hmac', ...secretFromEnvironment(secretEnv as string) };
  if (jwksUrl !== undefined) config.jwksUrl = jwksUrl;
  if (provider !== undefined) config.provider = provider as IdentityProvider;
  if (values.issuer !== undefined) config.issuer = values.issuer;
  const audience = values.audience ?? [];
  if (audience.length > 0) config.audience = audience.length === 1 ? audience[0]! : audience;
  if (values['auth0-domain'] !== undefined) config.auth0Domain = values['auth0-domain'];
  if (values['cognito-user-pool-id'] !== undefined) config.cognitoUserPoolId = values['cognito-user-pool-id'];
  if (values['cognito-token-use'] !== undefined) config.cognitoTokenUse = values['cognito-token-use'] as VisitorSignInConfig['cognitoTokenUse'];
  if (values['clerk-frontend-api-url'] !== undefined) config.clerkFrontendApiUrl = values['clerk-frontend-api-url'];
  if (values['authorized-party'] !== undefined) config.authorizedParties = values['authorized-party'];
  if (values['firebase-project-id'] !== undefined) config.firebaseProjectId = values['firebase-project-id'];
  if (values.mapping !== undefined) config.claimMapping = readMapping(values.mapping);
  const positional = positionals[0];
  return {
    config,
    allowHttp: values['allow-http'] === true,
    allowPrivateNetworks: values['allow-private-networks'] === true,
    verbose: values.verbose === true,
    token: positional === undefined || positional === '-' ? null : positional,
  };
}

function secretFromEnvironment(name: string): { hmacSecret?: string } {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--hmac-secret-env takes the NAME of an environment variable (such as QUINCER_VISITOR_SECRET), not a value.`);
  }
  const value = process.env[name];
  // Unset or empty: the verifier answers config-incomplete, like a backend without a secret.
  return value === undefined || value === '' ? {} : { hmacSecret: value };
}

function readMapping(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--mapping ${file} cannot be read; point it at a JSON file.`);
  }
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    throw new UsageError(`--mapping ${file} is not valid JSON; it must be an object such as { "userId": "sub", "email": "email" }.`);
  }
}

/** Field problems from the shared validator, phrased with the flag to change. */
function checkConfig(config: VisitorSignInConfig, allowHttp: boolean): void {
  const checked = validateVisitorSignInConfig(config);
  if (checked.ok) return;
  const problems = Object.entries(checked.fields).filter(
    // --allow-http lifts the https rule for the JWKS URL; the verifier enforces the rest.
    ([field]) => !(allowHttp && field === 'jwksUrl' && config.jwksUrl?.startsWith('http://')),
  );
  if (problems.length === 0) return;
  throw new UsageError(problems.map(([field, message]) => `${FLAG_OF_FIELD[field] ?? field}: ${message}`).join('\n'));
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('Pipe the token on stdin, for example: printf %s "$TOKEN" | quincer-verify ...');
  }
  const limit = LIMITS.maxTokenChars * 4;
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    text += chunk as string;
    // Anything this long is not a token; stop reading rather than buffer it all.
    if (text.length > limit) break;
  }
  return text;
}

const silentLogger: VerifierLogger = { info() {}, warn() {}, error() {} };
const stderrLogger: VerifierLogger = {
  info: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'info', ...obj, msg })}\n`),
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', ...obj, msg })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'error', ...obj, msg })}\n`),
};

/** The verifier words missing-token for HTTP requests; here the token was missing from the command. */
function withCliMessage(result: VerifyResult): VerifyResult {
  if (result.ok || result.reason !== 'missing-token') return result;
  return { ok: false, reason: 'missing-token', detail: result.detail, message: 'No token was given; pipe it on stdin (printf %s "$TOKEN" | quincer-verify ...).' };
}

async function run(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args === 'help') {
    process.stdout.write(HELP);
    return EXIT_CODES.verified;
  }
  checkConfig(args.config, args.allowHttp);
  const verifier = createVisitorVerifier(args.config, {
    allowInsecureHttp: args.allowHttp,
    allowPrivateNetworks: args.allowPrivateNetworks,
    logger: args.verbose ? stderrLogger : silentLogger,
  });
  if (args.token !== null) {
    process.stderr.write(
      'quincer-verify: warning: the token was passed as an argument, which other users of this machine can read (ps, /proc) and your shell keeps in its history; pipe it on stdin instead.\n',
    );
  }
  for (const warning of verifier.warnings()) process.stderr.write(`quincer-verify: warning: ${warning.message}\n`);
  const token = (args.token ?? (await readStdin())).trim();
  const result = token === '' ? withCliMessage(await verifier.verifyAuthorization(null)) : await verifier.verifyToken(token);
  if (result.ok) {
    process.stdout.write(`${JSON.stringify(result.identity, null, 2)}\n`);
    return EXIT_CODES.verified;
  }
  const help = REASON_HELP[result.reason];
  const detailFix = isFailureDetail(result.detail) ? FAILURE_DETAILS[result.detail].fix : null;
  const lines = [
    `quincer-verify: ${result.reason}`,
    `  detail:  ${result.detail}`,
    `  message: ${result.message}`,
    `  meaning: ${help.meaning}`,
    `  fix:     ${help.fix}`,
    ...(detailFix ? [`  detail fix: ${detailFix}`] : []),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  return EXIT_CODES[result.reason];
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`quincer-verify: ${error.message}\nRun quincer-verify --help for usage.\n`);
      process.exitCode = EXIT_CODES.usage;
      return;
    }
    if (error instanceof TypeError && error.message.startsWith('createVisitorVerifier:')) {
      process.stderr.write(`quincer-verify: ${error.message.replace('createVisitorVerifier: ', '')}\nRun quincer-verify --help for usage.\n`);
      process.exitCode = EXIT_CODES.usage;
      return;
    }
    process.stderr.write(`quincer-verify: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_CODES.internal;
  },
);
