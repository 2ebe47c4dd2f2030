#!/usr/bin/env node
// `pnpm soak`: a long run of the built proxy (apps/proxy/dist/cli.js) under steady load, with a
// backend killed at random at a fixed interval. At the end it checks that the proxy printed no
// unhandled rejection or uncaught exception and is still alive, that its RSS and open descriptors
// stayed roughly flat after warm-up, that every killed backend came back (running, with a new
// pid), and that every failed call failed for the kill (-32010, backend unavailable). It prints a
// summary and exits 1 when a check fails. Not part of `pnpm test`.
//
//   DURATION=10m CLIENTS=10 KILL_EVERY=2m node tests/soak/run.mjs
//
// DURATION and KILL_EVERY take `<n>s`, `<n>m` or `<n>h` (defaults 10m and 2m); CLIENTS is the number
// of SDK clients calling at once (default 10). Needs `pnpm build` and Linux (/proc).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const cliPath = join(repoRoot, 'apps/proxy/dist/cli.js');
const rawServer = join(repoRoot, 'tests/fixtures/raw-server.mjs');

function duration(value, fallback) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value ?? fallback);
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'];
  return Number(match[1]) * unit;
}
const DURATION_MS = duration(process.env.DURATION, '10m');
const KILL_EVERY_MS = duration(process.env.KILL_EVERY, '2m');
const CLIENTS = Number(process.env.CLIENTS ?? 10);
/** A killed backend must be running again (new pid) within this long. */
const RECOVERY_BOUND_MS = 10_000;
/** The supervisor's default crash-loop limit (docs/operations.md, "Restarts"), respected here. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 5 * 60_000;
/** Growth after warm-up that still counts as flat. */
const RSS_SLACK = { ratio: 1.5, bytes: 32 * 1024 * 1024 };
const FD_SLACK = 16;
const BACKENDS = ['alpha', 'beta', 'gamma'];

if (!existsSync(cliPath)) {
  console.error('apps/proxy/dist is missing: run `pnpm build` first.');
  process.exit(2);
}
if (!existsSync('/proc/self/status')) {
  console.error('the soak reads RSS and descriptors from /proc: Linux only.');
  process.exit(2);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
const rssOf = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const fdsOf = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const work = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
const pidFile = (name) => join(work, `${name}.pid`);
const pidOf = (name) =>
  existsSync(pidFile(name)) ? Number(readFileSync(pidFile(name), 'utf8')) : 0;
const configFile = join(work, 'switchyard.json');
writeFileSync(
  configFile,
  JSON.stringify({
    servers: Object.fromEntries(
      BACKENDS.map((name) => [
        name,
        {
          command: process.execPath,
          args: [rawServer],
          env: { FIXTURE_NAME: name, FIXTURE_PIDFILE: pidFile(name) },
        },
      ]),
    ),
  }),
);
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
let proxyLog = '';
const proxy = spawn(
  process.execPath,
  [cliPath, '--config', configFile, '--port', String(port), '--no-watch', '--log-level', 'info'],
  {
    env: { ...process.env, XDG_STATE_HOME: join(work, 'state') },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
proxy.stdout.on('data', (chunk) => {
  proxyLog += chunk;
});
proxy.stderr.on('data', (chunk) => {
  proxyLog += chunk;
});
let proxyExit;
proxy.once('exit', (code, signal) => {
  proxyExit = code ?? signal;
});

const health = async () => (await fetch(`${origin}/health`)).json();
const failures = [];
const stats = { ok: 0, unavailable: 0, other: 0, otherSamples: [] };
const kills = [];
const samples = [];
let running = true;

try {
  const readyBy = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${origin}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > readyBy || proxyExit !== undefined)
      throw new Error(`proxy not ready:\n${proxyLog}`);
    await sleep(100);
  }
  console.error(
    `soak: ${CLIENTS} clients for ${DURATION_MS / 1000} s, a backend killed every ${KILL_EVERY_MS / 1000} s`,
  );

  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = new Client({ name: `soak-${i}`, version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`)));
      return client;
    }),
  );
  const callLoop = async (client, i) => {
    for (let n = 0; running; n++) {
      const backend = BACKENDS[(i + n) % BACKENDS.length];
      try {
        const result = await client.callTool({
          name: `${backend}__echo`,
          arguments: { n, delayMs: n % 5 },
        });
        const text = result.content?.[0]?.text ?? '';
        if (JSON.parse(text).args.n !== n) throw new Error(`wrong answer: ${text}`);
        stats.ok++;
      } catch (error) {
        if (/-32010|is unavailable/.test(error.message)) stats.unavailable++;
        else {
          stats.other++;
          if (stats.otherSamples.length < 5) stats.otherSamples.push(error.message);
        }
      }
    }
  };
  const loops = clients.map(callLoop);

  const start = Date.now();
  const sample = () => {
    if (proxyExit === undefined)
      samples.push({ at: Date.now() - start, rss: rssOf(proxy.pid), fds: fdsOf(proxy.pid) });
  };
  const sampler = setInterval(sample, Math.min(5_000, DURATION_MS / 20));
  sample();
  let nextKill = start + KILL_EVERY_MS;
  while (Date.now() - start < DURATION_MS && proxyExit === undefined) {
    if (Date.now() >= nextKill) {
      nextKill += KILL_EVERY_MS;
      // A victim that has not used up the crash-loop limit: the soak checks recovery, not give-up.
      const now = Date.now();
      const eligible = BACKENDS.filter(
        (name) =>
          kills.filter((k) => k.name === name && now - k.at < RESTART_WINDOW_MS).length <
          MAX_RESTARTS,
      );
      const name = eligible[Math.floor(Math.random() * eligible.length)];
      if (name) {
        const pid = pidOf(name);
        const kill = { name, pid, at: now, recoveredMs: undefined, watch: undefined };
        kills.push(kill);
        process.kill(pid, 'SIGKILL');
        kill.watch = (async () => {
          while (Date.now() - kill.at < RECOVERY_BOUND_MS * 3) {
            const b = (await health().catch(() => ({ backends: [] }))).backends.find(
              (x) => x.name === name,
            );
            if (b?.state === 'running' && pidOf(name) !== pid) {
              kill.recoveredMs = Date.now() - kill.at;
              return;
            }
            await sleep(20);
          }
        })();
      }
    }
    await sleep(100);
  }
  running = false;
  clearInterval(sampler);
  sample();
  await Promise.all(loops);
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await Promise.all(kills.map((k) => k.watch));

  // Checks.
  if (proxyExit !== undefined) failures.push(`the proxy exited (${proxyExit})`);
  const unhandled = proxyLog
    .split('\n')
    .filter((line) => /unhandled|uncaught|UnhandledPromiseRejection/i.test(line));
  if (unhandled.length)
    failures.push(`${unhandled.length} unhandled errors in the proxy log: ${unhandled[0]}`);
  if (stats.other)
    failures.push(
      `${stats.other} calls failed for another reason: ${stats.otherSamples.join(' | ')}`,
    );
  if (stats.ok === 0) failures.push('no call succeeded');
  for (const kill of kills) {
    if (kill.recoveredMs === undefined || kill.recoveredMs > RECOVERY_BOUND_MS) {
      failures.push(
        `${kill.name} (pid ${kill.pid}) did not recover within ${RECOVERY_BOUND_MS} ms`,
      );
    }
  }
  const warm = samples.find((s) => s.at >= Math.min(30_000, DURATION_MS / 5)) ?? samples[0];
  const last = samples.at(-1);
  const maxRss = Math.max(...samples.map((s) => s.rss));
  const maxFds = Math.max(...samples.map((s) => s.fds));
  if (warm && last) {
    if (last.rss > warm.rss * RSS_SLACK.ratio + RSS_SLACK.bytes)
      failures.push(`RSS grew from ${mib(warm.rss)} to ${mib(last.rss)}`);
    if (last.fds > warm.fds + FD_SLACK)
      failures.push(`open fds grew from ${warm.fds} to ${last.fds}`);
  }

  const seconds = ((Date.now() - start) / 1000).toFixed(0);
  console.log(`soak summary (${seconds} s, ${CLIENTS} clients, ${BACKENDS.length} stdio backends)`);
  console.log(
    `  calls: ${stats.ok} ok, ${stats.unavailable} unavailable during kills, ${stats.other} other errors`,
  );
  console.log(
    `  kills: ${kills.length}; recovered in ${kills.map((k) => (k.recoveredMs === undefined ? 'never' : `${k.recoveredMs} ms`)).join(', ') || '-'}`,
  );
  if (warm && last) {
    console.log(
      `  rss: ${mib(warm.rss)} after warm-up, ${mib(last.rss)} at the end, ${mib(maxRss)} at most`,
    );
    console.log(`  open fds: ${warm.fds} after warm-up, ${last.fds} at the end, ${maxFds} at most`);
  }
  console.log(`  unhandled rejections or exceptions in the proxy log: ${unhandled.length}`);
  console.log(failures.length ? `FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}` : 'PASS');
} catch (error) {
  failures.push(String(error?.stack ?? error));
  console.error(error);
} finally {
  running = false;
  if (proxyExit === undefined) {
    proxy.kill('SIGTERM');
    await new Promise((done) => {
      const timer = setTimeout(() => {
        proxy.kill('SIGKILL');
        done();
      }, 15_000);
      proxy.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  }
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures.length ? 1 : 0);
