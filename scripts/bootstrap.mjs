#!/usr/bin/env node
// The two quick-start commands in one place, so they work on a fresh clone with only Node and npm:
//   npm start  -> install (pinned pnpm), build, run the proxy on examples/switchyard.yaml
//   npm test   -> install, lint, typecheck, build, run every test; ends with "N passed, N failed"
// and the build that `npm run bench` and `npm run soak` need first,
// and the CLI for `npm run switchyard -- <args>`, run in the folder npm was started from.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '12.4.2';
const [task, ...rest] = process.argv.slice(2);
const cli = join(root, 'apps/proxy/dist/cli.js');

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
// Native addons (better-sqlite3) need Node's headers; the distribution's copy avoids a download.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h'))
  env.npm_config_nodedir = '/usr';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/**
 * Runs a long-lived child (the proxy, the tests) and ends as it ends. npm sends SIGINT and SIGTERM
 * to this process only, so they are passed on: the proxy then stops its backends itself, and this
 * process exits once it has, with its exit code, or by the same signal when it was killed by one.
 */
function runToEnd(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.once('error', (error) => {
    process.stderr.write(`switchyard: cannot run ${command}: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const each of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(each, forward);
    process.kill(process.pid, signal);
  });
}

function must(command, args, what) {
  const status = run(command, args);
  if (status !== 0) {
    process.stderr.write(`\nswitchyard: ${what} failed (exit ${status})\n`);
    process.exit(status);
  }
}

/** The pinned pnpm: the one on PATH when it is that version, else through npx. */
function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['-y', `pnpm@${PNPM_VERSION}`]];
}

function setup() {
  const [cmd, pre] = pnpm();
  const marker = join(root, 'node_modules/.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
    must(cmd, [...pre, 'install', '--frozen-lockfile'], 'pnpm install');
  }
  return [cmd, pre];
}

if (task === 'start') {
  const [cmd, pre] = setup();
  must(cmd, [...pre, 'run', 'build'], 'build');
  const args = rest.length > 0 ? rest : ['--config', 'examples/switchyard.yaml'];
  runToEnd(process.execPath, [cli, ...args]);
} else if (task === 'build') {
  const [cmd, pre] = setup();
  must(cmd, [...pre, 'run', 'build'], 'build');
} else if (task === 'switchyard') {
  // npm runs scripts in the package root; the CLI runs where the user typed the command, so that
  // relative paths and the config found in the current folder are theirs.
  if (!existsSync(cli)) {
    const [cmd, pre] = setup();
    must(cmd, [...pre, 'run', 'build'], 'build');
  }
  runToEnd(process.execPath, [cli, ...rest], { cwd: env.INIT_CWD || process.cwd() });
} else if (task === 'test') {
  const [cmd, pre] = setup();
  must(cmd, [...pre, 'run', 'lint'], 'lint (biome ci)');
  must(cmd, [...pre, 'run', 'typecheck'], 'typecheck');
  must(cmd, [...pre, 'run', 'build'], 'build');
  runToEnd(cmd, [...pre, 'exec', 'vitest', 'run', ...rest]);
} else {
  process.stderr.write('usage: node scripts/bootstrap.mjs start|test|build|switchyard [args]\n');
  process.exit(2);
}
