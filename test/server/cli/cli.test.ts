// quincer-verify as customers run it: the BUILT binary (packages/visitor-verifier/dist/cli.js, `npm run build` first) as a
// subprocess, against a real JWKS server on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_DETAILS, REASON_HELP, type FailureReason } from '../../../src/protocol/reasons.js';
import { generateSigningKey, startJwksServer, type JwksServer } from '../../helpers/jwks-server.js';
import { forgeSignature, generateHmacSecret, signHs256 } from '../../helpers/tokens.js';

const CLI = fileURLToPath(new URL('../../../packages/visitor-verifier/dist/cli.js', import.meta.url));

/** The documented exit codes (docs/verifier.md "Test your setup", --help). */
const EXIT: Record<FailureReason | 'verified' | 'usage', number> = {
  verified: 0,
  usage: 2,
  'missing-token': 10,
  'config-incomplete': 11,
  expired: 12,
  'bad-signature': 13,
  'bad-claim': 14,
  'jwks-fetch-failed': 15,
  'malformed-token': 16,
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

let jwks: JwksServer;
let workDir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing; run \`npm run build\` before these tests.`);
  jwks = await startJwksServer();
  workDir = mkdtempSync(join(tmpdir(), 'quincer-cli-'));
});

afterAll(async () => {
  await jwks?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function expectRefusal(run: Run, reason: FailureReason, token?: string): void {
  expect(run.code).toBe(EXIT[reason]);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`quincer-verify: ${reason}`);
  expect(run.stderr).toContain(REASON_HELP[reason].fix);
  if (token) {
    expect(run.stderr).not.toContain(token);
    expect(run.stderr).not.toContain(token.split('.')[2]);
  }
}

describe('quincer-verify in JWKS mode', () => {
  it('prints the identity as JSON and exits 0 for a valid token (RS256, ES256, EdDSA)', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const token = await jwks.sign({ sub: 'user-42', email: 'ada@example.com', plan: 'pro', iss: 'https://idp.example', aud: 'chat' }, { alg });
      // The documented way: the token on stdin, Issuer and Audience set (nothing to warn about).
      const run = await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example', '--audience', 'chat'], { stdin: token });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ userId: 'user-42', email: 'ada@example.com', plan: 'pro' });
    }
  });

  it('reads the token from stdin with "-" and with no argument, ignoring surrounding whitespace', async () => {
    const token = await jwks.sign({ sub: 'stdin-user' });
    for (const args of [['--jwks-url', jwks.url, '-'], ['--jwks-url', jwks.url]]) {
      const run = await runCli(args, { stdin: `${token}\n` });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ userId: 'stdin-user' });
    }
  });

  it('applies --issuer, --audience and a --mapping file', async () => {
    const mappingFile = join(workDir, 'mapping.json');
    writeFileSync(mappingFile, JSON.stringify({ userId: 'sub', tier: 'https://acme.example/tier' }));
    const token = await jwks.sign({ sub: 'u1', iss: 'https://idp.example/', aud: 'chat', email: 'x@example.com', 'https://acme.example/tier': 'gold' });
    const run = await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example/', '--audience', 'chat', '--mapping', mappingFile, token]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ userId: 'u1', tier: 'gold' });
  });

  it('exits 10 (missing-token) when stdin is empty', async () => {
    expectRefusal(await runCli(['--jwks-url', jwks.url], { stdin: '  \n' }), 'missing-token');
  });

  it('exits 12 (expired) for a token past exp, with the message and the fix', async () => {
    const token = await jwks.sign({ sub: 'u1' }, { now: Date.now() - 7_200_000, expiresIn: 3600 });
    const run = await runCli(['--jwks-url', jwks.url, token]);
    expectRefusal(run, 'expired', token);
    expect(run.stderr).toMatch(/message: \S/);
  });

  it('exits 13 (bad-signature) for a forged signature and for a key the JWKS does not hold', async () => {
    const forged = forgeSignature(await jwks.sign({ sub: 'u1' }));
    expectRefusal(await runCli(['--jwks-url', jwks.url, forged]), 'bad-signature', forged);
    const stranger = await generateSigningKey('ES256');
    const unknownKey = await jwks.sign({ sub: 'u1' }, { key: stranger });
    expectRefusal(await runCli(['--jwks-url', jwks.url, unknownKey]), 'bad-signature', unknownKey);
  });

  it('exits 14 (bad-claim) when the issuer does not match or sub is missing', async () => {
    const token = await jwks.sign({ sub: 'u1', iss: 'https://other.example/' });
    expectRefusal(await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example/', token]), 'bad-claim', token);
    const noSub = await jwks.sign({ email: 'x@example.com' });
    expectRefusal(await runCli(['--jwks-url', jwks.url, noSub]), 'bad-claim', noSub);
  });

  it('exits 15 (jwks-fetch-failed) when the JWKS URL fails or serves HTML', async () => {
    const token = await jwks.sign({ sub: 'u1' });
    try {
      await jwks.setMode('status-500');
      expectRefusal(await runCli(['--jwks-url', jwks.url, token]), 'jwks-fetch-failed', token);
      await jwks.setMode('html');
      expectRefusal(await runCli(['--jwks-url', jwks.url, token]), 'jwks-fetch-failed', token);
      await jwks.setMode('down');
      expectRefusal(await runCli(['--jwks-url', jwks.url, token]), 'jwks-fetch-failed', token);
    } finally {
      await jwks.setMode('normal');
    }
  });

  it('exits 16 (malformed-token) for something that is not a compact JWS', async () => {
    expectRefusal(await runCli(['--jwks-url', jwks.url, 'not-a-token']), 'malformed-token');
    const token = await jwks.sign({ sub: 'u1' });
    expectRefusal(await runCli(['--jwks-url', jwks.url, `Bearer ${token}`]), 'malformed-token', token);
  });
});

describe('quincer-verify in HMAC mode', () => {
  const secret = generateHmacSecret();

  it('verifies with the secret from the named environment variable, never printing it', async () => {
    const token = await signHs256({ sub: 'hmac-user', email: 'h@example.com' }, secret);
    const run = await runCli(['--hmac-secret-env', 'QUINCER_VISITOR_SECRET', '-'], {
      stdin: token,
      env: { QUINCER_VISITOR_SECRET: secret },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ userId: 'hmac-user', email: 'h@example.com' });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('exits 13 (bad-signature) for a token signed with another secret', async () => {
    const token = await signHs256({ sub: 'u1' }, generateHmacSecret());
    const run = await runCli(['--hmac-secret-env', 'QUINCER_VISITOR_SECRET', token], { env: { QUINCER_VISITOR_SECRET: secret } });
    expectRefusal(run, 'bad-signature', token);
    expect(run.stderr).not.toContain(secret);
  });

  it('exits 11 (config-incomplete) when the environment variable is unset or empty', async () => {
    const token = await signHs256({ sub: 'u1' }, secret);
    expectRefusal(await runCli(['--hmac-secret-env', 'QUINCER_VISITOR_SECRET', token]), 'config-incomplete', token);
    expectRefusal(
      await runCli(['--hmac-secret-env', 'QUINCER_VISITOR_SECRET', token], { env: { QUINCER_VISITOR_SECRET: '' } }),
      'config-incomplete',
      token,
    );
  });

  it('exits 2 for a secret shorter than 32 characters, without printing it', async () => {
    const run = await runCli(['--hmac-secret-env', 'SHORT_SECRET', 'a.b.c'], { env: { SHORT_SECRET: 'too-short-secret-value' } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--hmac-secret-env');
    expect(run.stderr).not.toContain('too-short-secret-value');
  });
});

describe('quincer-verify usage', () => {
  it('--help documents every flag and every exit code, and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--jwks-url', '--issuer', '--audience', '--mapping', '--allow-http', '--hmac-secret-env', '--verbose', '--help']) {
      expect(run.stdout).toContain(flag);
    }
    for (const [reason, code] of Object.entries(EXIT)) {
      if (reason === 'verified' || reason === 'usage') continue;
      expect(run.stdout).toMatch(new RegExp(`^\\s+${code}\\s+${reason}\\s`, 'm'));
    }
    expect(run.stdout).toMatch(/^\s+2\s+usage error/m);
  });

  it('the exit codes are distinct per reason', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each([
    ['no mode', ['a.b.c']],
    ['both modes', ['--jwks-url', 'https://idp.example/jwks.json', '--hmac-secret-env', 'X', 'a.b.c']],
    ['an unknown flag', ['--jwks-url', 'https://idp.example/jwks.json', '--secret', 'x', 'a.b.c']],
    ['two tokens', ['--jwks-url', 'https://idp.example/jwks.json', 'a.b.c', 'd.e.f']],
    ['plain http on a non-loopback host', ['--jwks-url', 'http://idp.example/jwks.json', 'a.b.c']],
    ['a value instead of an environment variable name', ['--hmac-secret-env', 'not a name!', 'a.b.c']],
    ['a missing --mapping file', ['--jwks-url', 'https://idp.example/jwks.json', '--mapping', '/nonexistent/mapping.json', 'a.b.c']],
  ])('exits 2 with a pointer to --help for %s', async (_name, args) => {
    const run = await runCli(args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--help');
  });

  it('exits 2 for a mapping that sets userId to anything but sub, naming --mapping', async () => {
    const mappingFile = join(workDir, 'bad-mapping.json');
    writeFileSync(mappingFile, JSON.stringify({ userId: 'email' }));
    const run = await runCli(['--jwks-url', jwks.url, '--mapping', mappingFile, 'a.b.c']);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--mapping');
  });
});

describe('quincer-verify and issue 9 / 11', () => {
  it('--help reads the token from stdin in every example and documents the presets and every detail code', async () => {
    const run = await runCli(['--help']);
    expect(run.stdout).toMatch(/read from standard input by default/);
    const examples = run.stdout.slice(run.stdout.indexOf('Examples:'));
    const commands = examples.split('\n').filter((line) => line.includes('quincer-verify'));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(/^\s+printf '%s' "\$TOKEN" \| /);
    for (const flag of ['--provider', '--auth0-domain', '--cognito-user-pool-id', '--cognito-token-use', '--clerk-frontend-api-url', '--authorized-party', '--firebase-project-id', '--allow-private-networks']) {
      expect(run.stdout).toContain(flag);
    }
    for (const code of Object.keys(FAILURE_DETAILS)) expect(run.stdout).toMatch(new RegExp(`^\\s+${code}\\s`, 'm'));
  });

  it('warns on stderr when the token arrives as an argument (visible in ps), and still verifies it', async () => {
    const token = await jwks.sign({ sub: 'argv-user', iss: 'https://idp.example', aud: 'chat' });
    const run = await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example', '--audience', 'chat', token]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^quincer-verify: warning: the token was passed as an argument.*\(ps, \/proc\).*pipe it on stdin/m);
    expect(run.stderr).not.toContain(token);
    const piped = await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example', '--audience', 'chat'], { stdin: token });
    expect(piped.stderr).toBe('');
  });

  it('prints the detail code and its fix beside the reason', async () => {
    const token = await jwks.sign({ sub: 'u', iss: 'https://idp.example', client_id: 'chat', token_use: 'access' });
    const run = await runCli(['--jwks-url', jwks.url, '--issuer', 'https://idp.example', '--audience', 'chat'], { stdin: token });
    expectRefusal(run, 'bad-claim', token);
    expect(run.stderr).toMatch(/^ {2}detail: {2}aud-missing$/m);
    expect(run.stderr).toContain(FAILURE_DETAILS['aud-missing'].fix);
  });

  it('warns about an empty Issuer or Audience', async () => {
    const run = await runCli(['--jwks-url', jwks.url], { stdin: await jwks.sign({ sub: 'u' }) });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: Audience is empty: any application of this tenant can sign visitors in/);
  });

  it("refuses Google's shared key set without --issuer and --audience before fetching anything, naming both flags", async () => {
    const run = await runCli(['--jwks-url', 'https://www.googleapis.com/oauth2/v3/certs'], { stdin: 'a.b.c' });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/--issuer: .*shared by every project/);
    expect(run.stderr).toMatch(/--audience: /);
  });

  it('a preset with a malformed input is a usage error naming its flag', async () => {
    const run = await runCli(['--provider', 'cognito', '--cognito-user-pool-id', 'not-a-pool'], { stdin: 'a.b.c' });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/--cognito-user-pool-id: A Cognito user pool id/);
  });
});
