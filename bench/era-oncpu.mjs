// Where a modern (2026-07-28) call's proxy CPU differs from a legacy one's, on the CPU
// (docs/performance.md, "Eras", seventh round). Not part of `pnpm bench`: it needs Linux `perf`.
// One Switchyard (tracing off) in front of stdio server-everything, started with
// --perf-basic-prof-only-functions so that perf can name its JavaScript; the raw clients of
// bench/era.mjs in alternating blocks; `perf record` samples the proxy's main thread on the CPU
// (not wall-clock, as --cpu-prof does: a thread preempted by the backend it just woke counts
// nothing here), and each sample goes to the era whose block it fell in.
//
//   pnpm --silent build && node bench/era-oncpu.mjs [pairs of blocks, default 16]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawLegacy, rawModern } from './lib/raw-clients.mjs';
import { benchDir, everything, spawnChild } from './lib/util.mjs';

const PAIRS = Number(process.argv[2] ?? 16);
const BLOCK = 500;
const HZ = 2999;
const TOP = 25;

if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('era-oncpu needs Linux perf on PATH');
  process.exit(1);
}
process.chdir(benchDir);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-era-oncpu-'));
const config = {
  contextTracing: { enabled: false },
  servers: { ev: { command: process.execPath, args: [everything, 'stdio'] } },
};
const proxy = await spawnChild(
  process.execPath,
  ['--perf-basic-prof-only-functions', 'servers/switchyard.mjs', JSON.stringify(config)],
  { ready: (line) => /^READY (\d+)/.exec(line)?.[1], ipc: true },
);
try {
  const url = `http://127.0.0.1:${proxy.value}/mcp`;
  const clients = { legacy: await rawLegacy(url, 'ev__echo'), modern: rawModern(url, 'ev__echo') };
  for (let i = 0; i < 1500; i++) {
    await clients.legacy.call();
    await clients.modern.call();
  }
  const data = join(dir, 'perf.data');
  const perf = spawn(
    'perf',
    [
      'record',
      '-k',
      'CLOCK_MONOTONIC',
      '-F',
      String(HZ),
      '-t',
      String(proxy.child.pid),
      '-o',
      data,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => setTimeout(resolve, 700));
  // Blocks in CLOCK_MONOTONIC seconds, the clock perf stamps its samples with (-k).
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const blocks = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const era of pair % 2 ? ['modern', 'legacy'] : ['legacy', 'modern']) {
      const start = now();
      for (let i = 0; i < BLOCK; i++) await clients[era].call();
      blocks.push({ era, start, end: now() });
    }
  }
  perf.kill('SIGINT');
  await new Promise((resolve) => perf.once('exit', resolve));
  await clients.legacy.close();
  report(blocks, data);
} finally {
  await proxy.stop();
  rmSync(dir, { recursive: true, force: true });
  // Where V8 writes the names of its compiled functions for perf.
  rmSync(`/tmp/perf-${proxy.child.pid}.map`, { force: true });
}

/** µs per call of the proxy's main thread by era, and the symbols that differ most. */
function report(blocks, data) {
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'time,ip,sym,dso'], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  }).stdout;
  const counts = { legacy: new Map(), modern: new Map() };
  const samples = { legacy: 0, modern: 0 };
  for (const line of script.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const at = Number.parseFloat(parts[0] ?? '');
    const block = blocks.find((b) => at >= b.start && at <= b.end);
    if (!block) continue;
    const symbol = parts
      .slice(2)
      .join(' ')
      .replace(/ \(\/tmp\/perf-\d+\.map\)$/, '');
    counts[block.era].set(symbol, (counts[block.era].get(symbol) ?? 0) + 1);
    samples[block.era]++;
  }
  const calls = PAIRS * BLOCK;
  const us = (n) => (n * 1e6) / HZ / calls;
  console.log(
    `proxy main thread on the CPU, µs per call: legacy ${us(samples.legacy).toFixed(1)}, modern ${us(samples.modern).toFixed(1)} (${PAIRS} blocks of ${BLOCK} calls each)`,
  );
  const symbols = new Set([...counts.legacy.keys(), ...counts.modern.keys()]);
  const of = (era, symbol) => us(counts[era].get(symbol) ?? 0);
  const only = (era, other) =>
    [...symbols].filter((s) => s.startsWith('JS:') && !counts[other].has(s) && of(era, s) > 0.1);
  for (const [era, other] of [
    ['modern', 'legacy'],
    ['legacy', 'modern'],
  ]) {
    const own = only(era, other);
    const total = own.reduce((sum, s) => sum + of(era, s), 0);
    console.log(`JavaScript functions only the ${era} calls ran: ${total.toFixed(1)} µs per call`);
  }
  console.log(`\n| legacy µs | modern µs | difference | symbol |\n|---|---|---|---|`);
  const rows = [...symbols]
    .map((s) => [s, of('legacy', s), of('modern', s)])
    .sort((a, b) => Math.abs(b[2] - b[1]) - Math.abs(a[2] - a[1]))
    .slice(0, TOP);
  for (const [s, l, m] of rows) {
    console.log(
      `| ${l.toFixed(2)} | ${m.toFixed(2)} | ${(m - l).toFixed(2)} | ${s.slice(0, 110)} |`,
    );
  }
}
