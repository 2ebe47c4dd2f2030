// A modern (MCP 2026-07-28) client against a legacy (2025-11-25) one through the same proxy
// (docs/protocol-versions.md, "The modern era (2026-07-28)"). One Switchyard in front of stdio
// server-everything; in rounds (calls interleaved in short blocks, rates in short alternating
// windows), the sequential p50 of a 64 B echo and closed-loop
// requests/s at 8 clients, for:
// - raw HTTP clients of each era (fetch, the least client work there is, so the figures are the
//   proxy's): the legacy one holds a session, the modern one sends the envelope and routing headers;
// - the SDK clients of each era: v1 (@modelcontextprotocol/sdk 1.32.2, legacy) and v2
//   (@modelcontextprotocol/client 2.4.0 pinned to 2026-07-28);
// - next to the same raw legacy client on server-everything's own Streamable HTTP (direct).
// Bar: the modern client's p50 through the proxy is no slower than the legacy client's.

import {
  Client as ModernSdkClient,
  StreamableHTTPClientTransport as ModernSdkTransport,
} from '@modelcontextprotocol/client';
import { MODERN, message, rawLegacy, rawModern } from './lib/raw-clients.mjs';
import { everythingHttp, httpClient, switchyardStdio } from './lib/targets.mjs';
import {
  closedLoopRate,
  fmt,
  interleavedRound,
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

async function sdkLegacy(url, tool) {
  const client = await httpClient({ url });
  return {
    call: async () => {
      const result = await client.callTool({ name: tool, arguments: { message: message() } });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    },
    close: () => client.close(),
  };
}

async function sdkModern(url, tool) {
  const client = new ModernSdkClient(
    { name: 'bench', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(new ModernSdkTransport(new URL(url)));
  return {
    call: async () => {
      const result = await client.callTool({ name: tool, arguments: { message: message() } });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    },
    close: () => client.close(),
  };
}

export async function run() {
  const { stops, started } = startTracker();
  try {
    const proxy = await started('Switchyard -> stdio server-everything', switchyardStdio);
    const direct = await started('server-everything streamableHttp', everythingHttp);
    const configurations = {
      'legacy raw, direct': () => rawLegacy(direct.url, direct.tool),
      'legacy raw, proxy': () => rawLegacy(proxy.url, proxy.tool),
      'modern raw, proxy': () => rawModern(proxy.url, proxy.tool),
      // The same client as 'legacy raw, proxy' again: how far the two differ in this run is the
      // floor under which a difference means nothing (docs/performance.md, "Eras").
      'legacy raw, proxy, control': () => rawLegacy(proxy.url, proxy.tool),
      'legacy SDK v1, proxy': () => sdkLegacy(proxy.url, proxy.tool),
      'modern SDK v2, proxy': () => sdkModern(proxy.url, proxy.tool),
    };
    const names = Object.keys(configurations);
    const clients = {};
    for (const name of names) {
      clients[name] = await Promise.all(
        Array.from({ length: SESSIONS }, () => configurations[name]()),
      );
      stops.push(() => Promise.all(clients[name].map((c) => c.close())));
      await sequentialRuns(clients[name][0].call, WARMUP);
      await closedLoopRate(
        clients[name].map((c) => c.call),
        RUN_MS / 2,
      );
    }
    const latency = Object.fromEntries(names.map((n) => [n, []]));
    const rps = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < repeats; round++) {
      // Calls interleaved in short blocks and rates in short alternating windows: every client
      // meets the same moments of the machine (docs/performance.md, "Measuring small differences").
      const { sequential, loops } = await interleavedRound(
        Object.fromEntries(
          names.map((n) => [
            n,
            { once: clients[n][0].call, workers: clients[n].map((c) => c.call) },
          ]),
        ),
        { calls: CALLS, runMs: RUN_MS, slices: SLICES, round },
      );
      for (const name of names) {
        latency[name].push(sequential[name]);
        rps[name].push(loops[name].rps);
      }
    }
    const p50 = (name) => median(latency[name].map((x) => x.p50));
    table(
      `Eras: tools/call echo 64 B through Switchyard HTTP->stdio (${CALLS} sequential calls and ${RUN_MS} ms at @${SESSIONS}, ${repeats} rounds, median)`,
      ['client', 'p50 ms', 'p90 ms', 'p99 ms', `rps @${SESSIONS}`],
      names.map((n) => [
        n,
        fmt(p50(n), 3),
        fmt(median(latency[n].map((x) => x.p90)), 3),
        fmt(median(latency[n].map((x) => x.p99)), 3),
        fmt(median(rps[n]), 0),
      ]),
    );
    const raw = p50('modern raw, proxy') - p50('legacy raw, proxy');
    const sdk = p50('modern SDK v2, proxy') - p50('legacy SDK v1, proxy');
    const floor = p50('legacy raw, proxy, control') - p50('legacy raw, proxy');
    const bar = verdict({ difference: raw, threshold: 0, floor });
    console.log(
      [
        `target modern p50 <= legacy p50 through the proxy (raw clients): ${bar.text} (${fmt(raw, 3)} ms)`,
        `SDK clients, modern v2 - legacy v1 p50: ${fmt(sdk, 3)} ms (includes each SDK's own client cost)`,
        `noise floor, the same legacy raw client again: ${fmt(floor, 3)} ms p50`,
      ].join('\n'),
    );
    return {
      latency,
      rps,
      modernMinusLegacyRaw: raw,
      modernMinusLegacySdk: sdk,
      floorP50: floor,
      met: bar.met,
      resolved: bar.resolved,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
