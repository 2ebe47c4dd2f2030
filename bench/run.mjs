// `pnpm bench`. Runs against the built proxy (`pnpm build` first; the root script
// does). Usage: node bench/run.mjs [latency|large|memory|startup|tracing|era ...]; BENCH_QUICK=1 for a smoke run,
// BENCH_REPEATS=N to change the number of alternating rounds (default 5).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, repeats } from './lib/util.mjs';

// The SDK's HTTP client adds an abort listener per request to one shared signal: after ~1,500
// calls Node warns on every request. Keep the tables readable.
process.removeAllListeners('warning');

// The proxies started by the bench keep their state (audit log, tool pins, server state) in a
// directory of the run, not in the user's ~/.local/state.
process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'switchyard-bench-state-'));

if (!existsSync(join(benchDir, '../apps/proxy/dist/index.js'))) {
  console.error('apps/proxy/dist is missing: run `pnpm build` at the root first.');
  process.exit(1);
}

const benches = {
  latency: () => import('./latency-throughput.mjs'),
  large: () => import('./large.mjs'),
  memory: () => import('./memory.mjs'),
  startup: () => import('./startup.mjs'),
  tracing: () => import('./tracing.mjs'),
  era: () => import('./era.mjs'),
};
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benches);
console.log(
  `# Switchyard bench, ${new Date().toISOString()}, Node ${process.version}, ` +
    `${cpus().length} x ${cpus()[0]?.model}, ${repeats} rounds`,
);
const results = {};
const t0 = Date.now();
for (const name of chosen) {
  if (!benches[name])
    throw new Error(`unknown bench "${name}" (${Object.keys(benches).join(', ')})`);
  console.log(`\n## ${name}`);
  results[name] = await (await benches[name]()).run();
}
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
mkdirSync(join(benchDir, 'results'), { recursive: true });
writeFileSync(join(benchDir, 'results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
