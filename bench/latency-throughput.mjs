// P1a, P1b and P2: every system under test is started once, warmed up, then measured in
// rounds that alternate the configurations; each figure is the median over the rounds.
import { performance } from 'node:perf_hooks';
import {
  everythingHttp,
  floor,
  httpClient,
  mcpProxy,
  stdioClient,
  supergateway,
  switchyardHttp,
  switchyardStdio,
} from './lib/targets.mjs';
import {
  fmt,
  median,
  quick,
  ratio,
  repeats,
  rotated,
  startTracker,
  summarize,
  table,
} from './lib/util.mjs';

const CALLS = quick ? 100 : 300;
const WARMUP = quick ? 50 : 200;
const LEVELS = quick ? [1, 8] : [1, 8, 32];
const WARM_MS = quick ? 100 : 200;
const RUN_MS = quick ? 300 : 600;

let counter = 0;
/** A distinct message per call of exactly `bytes` characters. */
const message = (bytes) => {
  const head = `${++counter}:`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
};

async function call(client, tool, bytes) {
  const result = await client.callTool({ name: tool, arguments: { message: message(bytes) } });
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result;
}

async function sequential(client, tool, bytes, calls) {
  const samples = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await call(client, tool, bytes);
    samples[i] = performance.now() - t;
  }
  return summarize(samples);
}

/** Closed loop over the first `n` clients for `ms`; returns requests/s and errors. */
async function closedLoop(clients, tool, n, ms) {
  let done = 0;
  let errors = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    clients.slice(0, n).map(async (client) => {
      while (performance.now() < end) {
        try {
          await call(client, tool, 64);
          done++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { rps: done / ((performance.now() - t0) / 1000), errors };
}

async function openClients(target, count) {
  const clients = [];
  for (let i = 0; i < count; i += 4) {
    clients.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(4, count - i) }, () => httpClient(target)),
      )),
    );
  }
  return clients;
}

function latencyRows(names, results) {
  return names.map((name) => {
    const r = results[name];
    return [
      name,
      fmt(median(r.map((x) => x.p50)), 3),
      fmt(median(r.map((x) => x.p90)), 3),
      fmt(median(r.map((x) => x.p99)), 3),
      fmt(median(r.map((x) => x.max)), 2),
    ];
  });
}

export async function run() {
  const out = {};
  const { stops, started } = startTracker();
  try {
    const backend = await started('server-everything (HTTP)', everythingHttp);
    const targets = {
      'Switchyard HTTP->stdio': await started('Switchyard -> stdio', switchyardStdio),
      'Switchyard HTTP->HTTP': await started('Switchyard -> HTTP', () =>
        switchyardHttp(backend.url),
      ),
      'direct HTTP (server-everything)': backend,
      'floor (node:http JSON)': await started('floor', floor),
      supergateway: await started('supergateway', supergateway).catch((error) => {
        console.log(`  supergateway left out: ${error.message.split('\n')[0]}`);
      }),
      'mcp-proxy': await started('mcp-proxy', mcpProxy).catch((error) => {
        console.log(`  mcp-proxy left out: ${error.message.split('\n')[0]}`);
      }),
    };
    for (const [name, target] of Object.entries(targets)) if (!target) delete targets[name];

    // ---- P1b: one client, sequential 64 B echo calls. ----
    const direct = await stdioClient();
    stops.push(() => direct.close());
    const p1b = {
      'Switchyard HTTP->stdio': targets['Switchyard HTTP->stdio'],
      'direct stdio (SDK spawns server)': { client: direct, tool: 'echo' },
      'floor (node:http JSON)': targets['floor (node:http JSON)'],
      supergateway: targets.supergateway,
      'mcp-proxy': targets['mcp-proxy'],
    };
    for (const [name, target] of Object.entries(p1b)) {
      if (!target) delete p1b[name];
      else if (!target.client) target.client = await httpClient(target);
    }
    const p1bNames = Object.keys(p1b);
    for (const name of p1bNames) await sequential(p1b[name].client, p1b[name].tool, 64, WARMUP);
    const p1bResults = Object.fromEntries(p1bNames.map((n) => [n, []]));
    for (let round = 0; round < repeats; round++) {
      for (const name of rotated(p1bNames, round)) {
        p1bResults[name].push(await sequential(p1b[name].client, p1b[name].tool, 64, CALLS));
      }
    }
    const p50 = (name) => median(p1bResults[name]?.map((x) => x.p50) ?? []);
    table(
      `P1b: sequential tools/call echo, 64 B, ms (${CALLS} calls x ${repeats} rounds, median of rounds)`,
      ['path', 'p50', 'p90', 'p99', 'max'],
      latencyRows(p1bNames, p1bResults),
    );
    const sy = p50('Switchyard HTTP->stdio');
    const bound = p50('floor (node:http JSON)') + p50('direct stdio (SDK spawns server)') + 0.15;
    const peers = ['supergateway', 'mcp-proxy'].filter((n) => p1bResults[n]);
    const fasterPeer = peers.length ? Math.min(...peers.map(p50)) : Number.NaN;
    console.log(
      [
        `Switchyard/direct stdio p50: ${ratio(sy, p50('direct stdio (SDK spawns server)'))}`,
        `Switchyard/floor p50: ${ratio(sy, p50('floor (node:http JSON)'))}`,
        ...peers.map((p) => `${p}/Switchyard p50: ${ratio(p50(p), sy)}`),
        `target p50 <= floor + direct stdio + 0.15 = ${fmt(bound, 3)} ms: ${sy <= bound ? 'MET' : 'MISSED'} (${fmt(sy, 3)} ms)`,
        `target faster peer p50 >= 3x Switchyard: ${fasterPeer / sy >= 3 ? 'MET' : 'MISSED'} (${ratio(fasterPeer, sy)})`,
      ].join('\n'),
    );
    out.p1b = { results: p1bResults, bound, met: sy <= bound, peerRatio: fasterPeer / sy };

    // ---- P1a: HTTP backend, proxied vs direct, 64 B and 16 KiB. ----
    const p1a = {
      'direct HTTP (server-everything)': targets['direct HTTP (server-everything)'],
      'Switchyard HTTP->HTTP': targets['Switchyard HTTP->HTTP'],
    };
    for (const target of Object.values(p1a)) target.client ??= await httpClient(target);
    out.p1a = {};
    for (const bytes of [64, 16_384]) {
      const names = Object.keys(p1a);
      for (const name of names) await sequential(p1a[name].client, p1a[name].tool, bytes, WARMUP);
      const results = Object.fromEntries(names.map((n) => [n, []]));
      for (let round = 0; round < repeats; round++) {
        for (const name of rotated(names, round)) {
          results[name].push(await sequential(p1a[name].client, p1a[name].tool, bytes, CALLS));
        }
      }
      const label = bytes === 64 ? '64 B' : '16 KiB';
      const rows = latencyRows(names, results);
      const d = rows[0].slice(1).map(Number);
      const s = rows[1].slice(1).map(Number);
      rows.push(['added (proxied - direct)', ...s.map((v, i) => fmt(v - d[i], 3))]);
      rows.push(['ratio (proxied / direct)', ...s.map((v, i) => ratio(v, d[i]))]);
      table(
        `P1a: HTTP front -> HTTP backend, ${label}, ms`,
        ['path', 'p50', 'p90', 'p99', 'max'],
        rows,
      );
      const added = s[0] - d[0];
      console.log(
        `target added p50 <= 0.5 ms: ${added <= 0.5 ? 'MET' : 'MISSED'} (${fmt(added, 3)} ms)`,
      );
      out.p1a[label] = { results, added, met: added <= 0.5 };
    }
    for (const target of Object.values(targets)) {
      await target.client?.close();
      target.client = undefined;
    }

    // ---- P2: closed-loop throughput at 1, 8, 32 sessions. ----
    const max = Math.max(...LEVELS);
    const names = Object.keys(targets);
    for (const name of names) {
      const t = performance.now();
      targets[name].clients = await openClients(targets[name], max);
      stops.push(() => Promise.all(targets[name].clients.map((c) => c.close())));
      await closedLoop(targets[name].clients, targets[name].tool, max, WARM_MS);
      console.log(`  ${name}: ${max} sessions open in ${fmt(performance.now() - t, 0)} ms`);
    }
    const p2 = Object.fromEntries(
      names.map((n) => [n, Object.fromEntries(LEVELS.map((l) => [l, []]))]),
    );
    const errors = Object.fromEntries(names.map((n) => [n, 0]));
    for (let round = 0; round < repeats; round++) {
      for (const level of LEVELS) {
        for (const name of rotated(names, round)) {
          const { clients, tool } = targets[name];
          await closedLoop(clients, tool, level, WARM_MS);
          const r = await closedLoop(clients, tool, level, RUN_MS);
          p2[name][level].push(r.rps);
          errors[name] += r.errors;
        }
      }
    }
    const rps = (name, level) => median(p2[name][level]);
    table(
      `P2: requests/s, closed loop, 64 B echo (${RUN_MS} ms x ${repeats} rounds per level, median)`,
      ['path', ...LEVELS.map((l) => `@${l}`), 'errors'],
      names.map((n) => [n, ...LEVELS.map((l) => fmt(rps(n, l), 0)), String(errors[n])]),
    );
    const ratioRows = [
      [
        'Switchyard->HTTP / direct HTTP',
        'Switchyard HTTP->HTTP',
        'direct HTTP (server-everything)',
      ],
      [
        'Switchyard->stdio / direct HTTP',
        'Switchyard HTTP->stdio',
        'direct HTTP (server-everything)',
      ],
      ['Switchyard->stdio / floor', 'Switchyard HTTP->stdio', 'floor (node:http JSON)'],
      ['Switchyard->HTTP / floor', 'Switchyard HTTP->HTTP', 'floor (node:http JSON)'],
      ['Switchyard->stdio / supergateway', 'Switchyard HTTP->stdio', 'supergateway'],
      ['Switchyard->stdio / mcp-proxy', 'Switchyard HTTP->stdio', 'mcp-proxy'],
    ].filter(([, a, b]) => p2[a] && p2[b]);
    table(
      'P2 ratios (rps)',
      ['ratio', ...LEVELS.map((l) => `@${l}`)],
      ratioRows.map(([label, a, b]) => [label, ...LEVELS.map((l) => ratio(rps(a, l), rps(b, l)))]),
    );
    const sy8 = rps('Switchyard HTTP->stdio', 8);
    const peer8 = Math.max(...peers.map((p) => rps(p, 8)));
    const floor8 = rps('floor (node:http JSON)', 8);
    console.log(
      [
        `target @8 >= 2x faster peer: ${sy8 / peer8 >= 2 ? 'MET' : 'MISSED'} (${ratio(sy8, peer8)})`,
        `target @8 >= 0.75x floor: ${sy8 / floor8 >= 0.75 ? 'MET' : 'MISSED'} (${ratio(sy8, floor8)})`,
        `target zero errors: ${Object.values(errors).every((e) => e === 0) ? 'MET' : 'MISSED'}`,
      ].join('\n'),
    );
    out.p2 = { rps: p2, errors };
    return out;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
