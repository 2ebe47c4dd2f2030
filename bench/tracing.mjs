// Context tracing's cost (docs/tracing.md): the same Switchyard -> stdio server-everything with
// tracing off and on (its SQLite file in the run's state directory), measured in rounds in one
// run: sequential p50 of a 64 B echo (calls of each proxy interleaved one by one) and closed-loop
// requests/s at 8 sessions (in short alternating windows).
// Bar: tracing on costs at most 3% of requests/s and at most 0.05 ms of p50. Also reported: the
// proxy process's CPU per request (all its threads, from /proc on Linux), which other load on the
// machine moves far less than rates and latencies.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineCpu, processCpuMs } from './lib/proc-cpu.mjs';
import { sqliteFloor } from './lib/sqlite-floor.mjs';
import { httpClient, switchyard } from './lib/targets.mjs';
import {
  alternatingRates,
  closedLoopRate,
  everything,
  fmt,
  interleavedRuns,
  median,
  quick,
  repeats,
  sequentialRuns,
  startTracker,
  table,
  verdict,
} from './lib/util.mjs';

const CALLS = quick ? 200 : 1000;
const WARMUP = quick ? 100 : 500;
const SESSIONS = 8;
const RUN_MS = quick ? 400 : 1500;
/** Alternating windows the closed loop of each round is cut into. */
const SLICES = quick ? 2 : 6;

let counter = 0;
const call = async (client, tool) => {
  const result = await client.callTool({
    name: tool,
    arguments: { message: `${++counter}:${'x'.repeat(58)}` },
  });
  if (result.isError) throw new Error(JSON.stringify(result.content));
};

export async function run() {
  const { stops, started } = startTracker();
  const servers = { ev: { command: process.execPath, args: [everything, 'stdio'] } };
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-tracing-'));
  try {
    const targets = {
      'tracing off': await started('Switchyard, tracing off', () =>
        switchyard(servers, { contextTracing: { enabled: false } }),
      ),
      'tracing on': await started('Switchyard, tracing on', () =>
        switchyard(servers, {
          contextTracing: { enabled: true, sqlitePath: join(dir, 'tracing.db') },
        }),
      ),
      // A second proxy exactly like the first, started after the one with tracing on: how far
      // the two differ is the floor of the run, and their mean is what tracing on is compared
      // with (see below; docs/performance.md, "Tracing cost").
      'tracing off, control': await started('Switchyard, tracing off (control)', () =>
        switchyard(servers, { contextTracing: { enabled: false } }),
      ),
    };
    const names = Object.keys(targets);
    for (const name of names) {
      const target = targets[name];
      target.clients = await Promise.all(
        Array.from({ length: SESSIONS }, () => httpClient(target)),
      );
      stops.push(() => Promise.all(target.clients.map((c) => c.close())));
      await sequentialRuns(() => call(target.clients[0], target.tool), WARMUP);
      await closedLoopRate(
        target.clients.map((client) => () => call(client, target.tool)),
        RUN_MS / 2,
      );
    }
    const latency = Object.fromEntries(names.map((n) => [n, []]));
    const rps = Object.fromEntries(names.map((n) => [n, []]));
    const cpu = Object.fromEntries(names.map((n) => [n, []]));
    // The machine's CPU per request in the rate windows (all processes: clients, proxies,
    // backends), per round: what 3% of requests/s amounts to in CPU when the cores are saturated.
    const machine = [];
    for (let round = 0; round < repeats; round++) {
      const before = Object.fromEntries(names.map((n) => [n, processCpuMs(targets[n].pid)]));
      // Calls interleaved in short blocks and rates in short alternating windows: every
      // configuration meets the same moments of the machine (docs/performance.md, "Measuring
      // small differences").
      const sequential = await interleavedRuns(
        Object.fromEntries(
          names.map((n) => [n, () => call(targets[n].clients[0], targets[n].tool)]),
        ),
        CALLS,
        { seed: round + 1 },
      );
      const machineBefore = machineCpu();
      const loops = await alternatingRates(
        Object.fromEntries(
          names.map((n) => {
            const { clients, tool } = targets[n];
            return [n, clients.map((client) => () => call(client, tool))];
          }),
        ),
        RUN_MS,
        SLICES,
        { seed: round + 1 },
      );
      const machineAfter = machineCpu();
      if (machineBefore && machineAfter) {
        const done = names.reduce((sum, n) => sum + loops[n].done, 0);
        const busyMs = machineAfter.busyMs - machineBefore.busyMs;
        const totalMs = machineAfter.totalMs - machineBefore.totalMs;
        machine.push({ perRequestUs: (busyMs * 1000) / done, busy: busyMs / totalMs });
      }
      for (const name of names) {
        latency[name].push(sequential[name]);
        rps[name].push(loops[name].rps);
        const used = processCpuMs(targets[name].pid) - before[name];
        cpu[name].push((used * 1000) / (sequential[name].calls + loops[name].done));
      }
    }
    const p50 = (name) => median(latency[name].map((x) => x.p50));
    const throughput = (name) => median(rps[name]);
    table(
      `Tracing cost: Switchyard HTTP->stdio echo 64 B (${CALLS} sequential calls and ${RUN_MS} ms at @${SESSIONS}, ${repeats} rounds, median)`,
      ['configuration', 'p50 ms', 'p90 ms', 'p99 ms', `rps @${SESSIONS}`, 'proxy CPU µs/req'],
      names.map((n) => [
        n,
        fmt(p50(n), 3),
        fmt(median(latency[n].map((x) => x.p90)), 3),
        fmt(median(latency[n].map((x) => x.p99)), 3),
        fmt(throughput(n), 0),
        fmt(median(cpu[n]), 0),
      ]),
    );
    // Tracing off is measured twice, in the proxies started before and after the one with tracing
    // on, and the bars compare against their mean: proxies of one run differ by the order they were
    // started in (the third came out faster than the first in most runs of 2026-12-02), and the
    // mean of the two around it cancels a difference that grows with the order
    // (docs/performance.md, "Measuring small differences").
    const off = (of) => (of('tracing off') + of('tracing off, control')) / 2;
    const addedCpu = median(cpu['tracing on']) - off((n) => median(cpu[n]));
    const addedP50 = p50('tracing on') - off(p50);
    const lostRps = 1 - throughput('tracing on') / off(throughput);
    const floorP50 = p50('tracing off, control') - p50('tracing off');
    const floorRps = 1 - throughput('tracing off, control') / throughput('tracing off');
    const p50Bar = verdict({ difference: addedP50, threshold: 0.05, floor: floorP50 });
    const rpsBar = verdict({ difference: lostRps, threshold: 0.03, floor: floorRps });
    console.log(
      [
        `target tracing on p50 <= tracing off + 0.05 ms: ${p50Bar.text} (${fmt(addedP50, 3)} ms; against the first tracing-off proxy alone ${fmt(p50('tracing on') - p50('tracing off'), 3)} ms)`,
        `target tracing on rps >= 97% of tracing off: ${rpsBar.text} (${fmt(lostRps * 100, 1)}% fewer; against the first alone ${fmt((1 - throughput('tracing on') / throughput('tracing off')) * 100, 1)}%)`,
        `tracing adds ${fmt(addedCpu, 0)} µs of proxy CPU per request (all threads; not a bar)`,
        `noise floor, the control against tracing off (same configuration): ${fmt(floorP50, 3)} ms p50, ${fmt(floorRps * 100, 1)}% rps`,
      ].join('\n'),
    );
    // What the 3% bar allows in CPU, next to what SQLite alone needs for the rows of one traced
    // call (docs/performance.md, "Tracing cost", seventh round). With the cores saturated, a
    // request that costs the machine c µs and tracing's d µs more lose d / (c + d) of requests/s.
    const perRequest = median(machine.map((m) => m.perRequestUs));
    const budget = 0.03 * perRequest;
    const floor = sqliteFloor(dir);
    console.log(
      [
        `the machine spent ${fmt(perRequest, 0)} µs of CPU per request in the rate windows (all processes; cores ${fmt(median(machine.map((m) => m.busy)) * 100, 0)}% busy): 3% of requests/s is about ${fmt(budget, 0)} µs of added CPU per request (tracing's ${fmt(addedCpu, 0)} µs predict ${fmt((addedCpu / (perRequest + addedCpu)) * 100, 1)}% fewer requests/s; measured ${fmt(lostRps * 100, 1)}%)`,
        `SQLite alone, per call, with the least schema (${floor.perBatch} calls per transaction, ${floor.existing} units stored): a new unit ${fmt(floor.unitOnly, 1)} µs of CPU, with its capture ${fmt(floor.unitAndCapture, 1)} µs, and its row in a response ${fmt(floor.withLineage, 1)} µs`,
      ].join('\n'),
    );
    const met = p50Bar.met && rpsBar.met;
    const resolved = p50Bar.resolved && rpsBar.resolved;
    return {
      latency,
      rps,
      cpu,
      addedP50,
      lostRps,
      addedCpu,
      floorP50,
      floorRps,
      met,
      resolved,
      machine,
      budgetUs: budget,
      sqliteFloor: floor,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
