// P4: time to ready with 0, 5 and 20 stdio backends (server-everything), each measurement in a
// fresh process (servers/startup.mjs), alternating N. Also times the parallel floor: the SDK
// spawning and initializing N servers itself (spawn + initialize + tools/list), no proxy.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { stdioClient } from './lib/targets.mjs';
import { benchDir, everything, fmt, median, quick, rotated, table } from './lib/util.mjs';

const LEVELS = quick ? [0, 5] : [0, 5, 20];
const ROUNDS = Number(process.env.BENCH_STARTUP_REPEATS ?? (quick ? 1 : 3));

function once(n) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['servers/startup.mjs', String(n), JSON.stringify([process.execPath, everything, 'stdio'])],
      { cwd: benchDir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
    });
    child.once('exit', (code) => {
      const line = text.trim().split('\n').pop();
      code === 0 ? resolve(JSON.parse(line)) : reject(new Error(`startup ${n}: exit ${code}`));
    });
  });
}

async function floor(n) {
  const t = performance.now();
  const clients = await Promise.all(
    Array.from({ length: n }, async () => {
      const client = await stdioClient();
      await client.listTools();
      return client;
    }),
  );
  const ms = performance.now() - t;
  await Promise.all(clients.map((c) => c.close()));
  return ms;
}

export async function run() {
  const results = Object.fromEntries(LEVELS.map((n) => [n, { proxy: [], floor: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of rotated(LEVELS, round)) {
      results[n].proxy.push(await once(n));
      if (n > 0) results[n].floor.push(await floor(n));
    }
  }
  const m = (n, key) => median(results[n].proxy.map((r) => r[key]));
  table(
    `P4: time from proxy.start() (ms, median of ${ROUNDS} fresh processes)`,
    [
      'backends',
      '/health 200',
      '/ready 200',
      'all listed (tools/list)',
      'start() resolved',
      'SDK parallel floor',
    ],
    LEVELS.map((n) => [
      String(n),
      fmt(m(n, 'health'), 0),
      fmt(m(n, 'ready'), 0),
      fmt(m(n, 'listed'), 0),
      fmt(m(n, 'startResolved'), 0),
      n ? fmt(median(results[n].floor), 0) : '',
    ]),
  );
  for (const n of LEVELS) {
    console.log(
      `N=${n}: /ready <= 300 ms ${m(n, 'ready') <= 300 ? 'MET' : 'MISSED'} (${fmt(m(n, 'ready'), 0)} ms); ` +
        `/health <= 300 ms ${m(n, 'health') <= 300 ? 'MET' : 'MISSED'} (${fmt(m(n, 'health'), 0)} ms)` +
        (n
          ? `; listed / SDK floor ${(m(n, 'listed') / median(results[n].floor)).toFixed(2)}x`
          : ''),
    );
  }
  return results;
}
