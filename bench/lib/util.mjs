import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
export const supergatewayBin = join(
  dirname(require.resolve('supergateway/package.json')),
  'dist/index.js',
);
export const mcpProxyBin = join(
  dirname(require.resolve('mcp-proxy/package.json')),
  'dist/bin/mcp-proxy.mjs',
);

/** Knobs: BENCH_REPEATS (default 5), BENCH_QUICK=1 for a smoke run. */
export const quick = process.env.BENCH_QUICK === '1';
export const repeats = Number(process.env.BENCH_REPEATS ?? (quick ? 2 : 5));

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** Rotates the order each repeat so no configuration always runs first (alternating rounds). */
export function rotated(list, round) {
  const k = round % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export const fmt = (value, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);
export const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a');

/** Prints a Markdown table (so the output pastes straight into docs/performance.md). */
export function table(title, header, rows) {
  const lines = [
    `\n### ${title}\n`,
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ];
  console.log(lines.join('\n'));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a child; resolves once `ready(line)` returns a value for a stdout or stderr line. */
export function spawnChild(command, args, { env, ready, ipc = false, timeoutMs = 30_000 }) {
  const child = spawn(command, args, {
    cwd: benchDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready after ${timeoutMs} ms\n${buffered}`));
    }, timeoutMs);
    const onData = (chunk) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const value = ready(line);
        if (value !== undefined) {
          clearTimeout(timer);
          child.stdout.removeAllListeners('data');
          child.stderr.removeAllListeners('data');
          child.stdout.resume();
          child.stderr.resume();
          resolve({ child, value, stop });
          return;
        }
      }
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}\n${buffered}`));
    });
  });
}

export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { method: 'GET' });
      await res.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/**
 * Starts systems one after another, printing how long each took, and remembers how to stop them
 * all (`stops`), whatever happens later in the run.
 */
export function startTracker() {
  const stops = [];
  const started = async (label, start) => {
    const t = performance.now();
    const target = await start();
    stops.push(target.stop);
    console.log(`  started ${label} in ${fmt(performance.now() - t, 0)} ms`);
    return target;
  };
  return { stops, started };
}

/** Times `calls` sequential runs of `once` (an async function); their latency summary, in ms. */
export async function sequentialRuns(once, calls) {
  const samples = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await once();
    samples[i] = performance.now() - t;
  }
  return summarize(samples);
}

/** A seeded pseudo-random generator (mulberry32): the same orders in every run of a bench. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `list` in a random order drawn from `random`. */
function shuffled(list, random) {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Sequential calls of several configurations interleaved in short blocks (`block` calls of each,
 * in a new random order every round): only one call is in flight at a time, and every
 * configuration is timed at the same moments of the machine, whose drift between one phase and
 * the next (seconds apart) is larger than the differences the bars are about
 * (docs/performance.md, "Measuring small differences"). The order changes every round because a
 * block runs slower after one that kept its process idle (another proxy, a direct server): a fixed
 * cycle gave each configuration the same predecessor every time, and so a bias of its own. The
 * first `settle` calls of a block are not timed. Returns each configuration's summary of its
 * `calls` timed samples, with how many calls it made in all (`calls`, the untimed ones included).
 */
export async function interleavedRuns(onces, calls, { block = 50, settle = 5, seed = 1 } = {}) {
  const names = Object.keys(onces);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const made = Object.fromEntries(names.map((name) => [name, 0]));
  const random = seeded(seed);
  const timed = block - settle;
  while (samples[names[0]].length < calls) {
    for (const name of shuffled(names, random)) {
      const once = onces[name];
      for (let i = 0; i < settle; i++) await once();
      made[name] += settle;
      for (let i = 0; i < timed && samples[name].length < calls; i++) {
        const t = performance.now();
        await once();
        samples[name].push(performance.now() - t);
        made[name]++;
      }
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { ...summarize(samples[name]), calls: made[name] }]),
  );
}

/**
 * Closed-loop requests/s of several configurations measured in `slices` short windows of
 * `ms / slices` each (in a new random order every slice, as in {@link interleavedRuns}): each
 * configuration's rate is its calls over its time summed over the slices, so that a slow second of
 * the machine falls on all of them alike.
 */
export async function alternatingRates(workersByName, ms, slices, { seed = 1 } = {}) {
  const names = Object.keys(workersByName);
  const done = Object.fromEntries(names.map((name) => [name, 0]));
  const time = Object.fromEntries(names.map((name) => [name, 0]));
  const random = seeded(seed);
  for (let slice = 0; slice < slices; slice++) {
    for (const name of shuffled(names, random)) {
      const t0 = performance.now();
      const loop = await closedLoopRate(workersByName[name], ms / slices);
      time[name] += performance.now() - t0;
      done[name] += loop.done;
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { rps: done[name] / (time[name] / 1000), done: done[name] }]),
  );
}

/**
 * One round of the era and tracing benches: every configuration's sequential calls in interleaved
 * blocks ({@link interleavedRuns}), then its closed-loop rate in alternating windows
 * ({@link alternatingRates}), both in the round's own random orders.
 */
export async function interleavedRound(configurations, { calls, runMs, slices, round }) {
  const names = Object.keys(configurations);
  const pick = (key) => Object.fromEntries(names.map((n) => [n, configurations[n][key]]));
  const sequential = await interleavedRuns(pick('once'), calls, { seed: round + 1 });
  const loops = await alternatingRates(pick('workers'), runMs, slices, { seed: round + 1 });
  return { sequential, loops };
}

/**
 * A bar's verdict in words: MET or MISSED, and whether the run could tell. Two identical
 * configurations of the same run differ by `floor` (the run's noise floor); a difference that is
 * nearer the bar's threshold than that is not resolved either way (docs/performance.md,
 * "Measuring small differences").
 */
export function verdict({ difference, threshold, floor }) {
  const met = difference <= threshold;
  const resolved = Math.abs(difference - threshold) > Math.abs(floor);
  return {
    met,
    resolved,
    text: `${met ? 'MET' : 'MISSED'}${resolved ? '' : ' (not resolved: within this run’s noise floor)'}`,
  };
}

/**
 * Runs each of `workers` (async functions) in a closed loop for `ms`; completed runs per second
 * (`rps`) and how many completed (`done`).
 */
export async function closedLoopRate(workers, ms) {
  let done = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    workers.map(async (once) => {
      while (performance.now() < end) {
        await once();
        done++;
      }
    }),
  );
  return { rps: done / ((performance.now() - t0) / 1000), done };
}
