// P7: large results. (a) 1 MiB and 8 MiB `tools/call` results, direct vs through
// Switchyard, same backend (servers/big.mjs) on both paths. (b) Head-of-line blocking: p50/p99 of a
// client's small echo calls alone, then while a second client (own process) fetches 8 MiB results
// back to back. Switchyard runs with proxy.maxMessageBytes = 16 MiB (the default 4 MiB would
// refuse the 8 MiB result).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { httpClient, switchyard } from './lib/targets.mjs';
import {
  benchDir,
  fmt,
  median,
  quick,
  ratio,
  repeats,
  rotated,
  spawnChild,
  startTracker,
  summarize,
  table,
} from './lib/util.mjs';

const MiB = 1024 * 1024;
const PER_CLIENT = 'Switchyard HTTP->stdio, sessions: per-client';
const SIZES = [
  { label: '1 MiB', bytes: MiB, calls: quick ? 3 : 8 },
  { label: '8 MiB', bytes: 8 * MiB, calls: quick ? 1 : 3 },
];
const ROUNDS = Math.min(repeats, 3);
const HOL_MS = quick ? 1000 : 3000;
const PROXY = { proxy: { maxMessageBytes: 16 * MiB } };
const bigServer = join(benchDir, 'servers/big.mjs');
const readyPort = (line) => {
  const match = /^READY (\d+)/.exec(line);
  return match ? Number(match[1]) : undefined;
};

async function bigHttp() {
  const { value, stop } = await spawnChild(process.execPath, [bigServer, 'http'], {
    ready: readyPort,
  });
  return { url: `http://127.0.0.1:${value}/mcp`, prefix: '', stop };
}

async function directStdio() {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bigServer, 'stdio'],
      stderr: 'ignore',
    }),
  );
  return { client, prefix: '', stop: () => client.close() };
}

async function proxied(backend) {
  const target = await switchyard({ big: backend }, PROXY);
  return { ...target, prefix: 'big__' };
}

async function big(target, bytes) {
  const result = await target.client.callTool({
    name: `${target.prefix}big`,
    arguments: { bytes },
  });
  const text = result.content?.[0]?.text;
  if (result.isError || text?.length !== bytes) {
    throw new Error(`big ${bytes}: ${JSON.stringify(result).slice(0, 200)}`);
  }
}

let counter = 0;
/** Sequential 64 B echo calls for `ms`; returns latency summary and count. */
async function smallCalls(target, ms) {
  const samples = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const message = `${++counter}:${'x'.repeat(58)}`;
    const t = performance.now();
    const result = await target.client.callTool({
      name: `${target.prefix}echo`,
      arguments: { message },
    });
    samples.push(performance.now() - t);
    if (result.isError) throw new Error(JSON.stringify(result.content));
  }
  return { ...summarize(samples), count: samples.length };
}

/** Starts servers/large-client.mjs against `target` fetching 8 MiB results back to back. */
async function loader(target) {
  const { child, stop } = await spawnChild(
    process.execPath,
    [
      join(benchDir, 'servers/large-client.mjs'),
      target.url,
      `${target.prefix}big`,
      String(8 * MiB),
    ],
    { ready: (line) => (line.startsWith('READY') ? true : undefined), timeoutMs: 10_000 },
  );
  const times = [];
  child.stdout.on('data', (chunk) => {
    for (const m of chunk.toString().matchAll(/^T ([\d.]+)/gm)) times.push(Number(m[1]));
  });
  // Let the first transfer get going before measuring.
  while (times.length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  return { times, stop };
}

export async function run() {
  const out = {};
  const { stops, started } = startTracker();
  try {
    const backend = await started('big.mjs (HTTP)', bigHttp);
    const targets = {
      'direct stdio (SDK spawns big.mjs)': await started('direct stdio', directStdio),
      'Switchyard HTTP->stdio': await started('Switchyard -> stdio', () =>
        proxied({ command: process.execPath, args: [bigServer, 'stdio'] }),
      ),
      'direct HTTP (big.mjs)': backend,
      'Switchyard HTTP->HTTP': await started('Switchyard -> HTTP', () =>
        proxied({ url: backend.url, transport: 'streamable-http' }),
      ),
      // For P7b only: every client session gets its own big.mjs process, so the small calls do
      // not share a pipe with the large results.
      [PER_CLIENT]: await started('Switchyard -> stdio, per-client', () =>
        proxied({ command: process.execPath, args: [bigServer, 'stdio'], sessions: 'per-client' }),
      ),
    };
    for (const target of Object.values(targets)) {
      target.client ??= await httpClient(target);
      stops.push(() => target.client.close());
    }
    const names = Object.keys(targets).filter((name) => name !== PER_CLIENT);
    const pairs = [
      ['stdio backend', 'Switchyard HTTP->stdio', 'direct stdio (SDK spawns big.mjs)'],
      ['HTTP backend', 'Switchyard HTTP->HTTP', 'direct HTTP (big.mjs)'],
    ];

    // ---- P7a: time per large result. ----
    out.sizes = {};
    const rows = [];
    for (const { label, bytes, calls } of SIZES) {
      for (const name of names) await big(targets[name], bytes); // warm-up
      const results = Object.fromEntries(names.map((n) => [n, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of rotated(names, round)) {
          for (let i = 0; i < calls; i++) {
            const t = performance.now();
            await big(targets[name], bytes);
            results[name].push(performance.now() - t);
          }
        }
      }
      const p50 = (n) => median(results[n]);
      for (const [backendLabel, sy, direct] of pairs) {
        rows.push([
          label,
          backendLabel,
          fmt(p50(direct), 1),
          fmt(p50(sy), 1),
          ratio(p50(sy), p50(direct)),
          fmt(summarize(results[sy]).max, 1),
        ]);
      }
      out.sizes[label] = results;
    }
    table(
      `P7a: one tools/call returning a large text result, ms (median of ${SIZES.map((s) => s.calls).join('/')} calls x ${ROUNDS} rounds)`,
      ['size', 'backend', 'direct p50', 'Switchyard p50', 'ratio', 'Switchyard max'],
      rows,
    );
    for (const row of rows) {
      const r = Number.parseFloat(row[4]);
      console.log(
        `target ${row[0]} ${row[1]} <= 1.1x direct: ${r <= 1.1 ? 'MET' : 'MISSED'} (${row[4]}); <= 1.3x: ${r <= 1.3 ? 'MET' : 'MISSED'}`,
      );
    }

    // ---- P7b: head-of-line blocking. ----
    const holTargets = [
      'Switchyard HTTP->stdio',
      PER_CLIENT,
      'Switchyard HTTP->HTTP',
      'direct HTTP (big.mjs)',
    ];
    const holRows = [];
    out.hol = {};
    for (const name of holTargets) {
      const target = targets[name];
      await smallCalls(target, 300); // warm-up
      const alone = await smallCalls(target, HOL_MS);
      const load = await loader(target);
      const before = load.times.length;
      const loaded = await smallCalls(target, HOL_MS);
      const transfers = load.times.length - before;
      await load.stop();
      const largeP50 = median(load.times);
      holRows.push(
        [
          name,
          'alone',
          alone.count,
          fmt(alone.p50, 2),
          fmt(alone.p99, 2),
          fmt(alone.max, 1),
          '',
          '',
        ],
        [
          name,
          'during 8 MiB transfers',
          loaded.count,
          fmt(loaded.p50, 2),
          fmt(loaded.p99, 2),
          fmt(loaded.max, 1),
          String(transfers),
          fmt(largeP50, 0),
        ],
        [
          name,
          'ratio loaded / alone',
          '',
          ratio(loaded.p50, alone.p50),
          ratio(loaded.p99, alone.p99),
          '',
          '',
          '',
        ],
      );
      out.hol[name] = { alone, loaded, transfers, largeP50 };
    }
    table(
      `P7b: small echo calls (64 B, sequential, ${HOL_MS} ms) alone vs while a second client fetches 8 MiB results back to back, ms`,
      ['path', 'condition', 'calls', 'p50', 'p99', 'max', '8 MiB done', '8 MiB p50'],
      holRows.map((r) => r.map(String)),
    );
    for (const name of holTargets) {
      const { alone, loaded } = out.hol[name];
      console.log(
        `${name}: small-call p99 loaded/alone ${ratio(loaded.p99, alone.p99)}; target <= 2x: ${loaded.p99 <= 2 * alone.p99 ? 'MET' : 'MISSED'}`,
      );
    }
    return out;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
