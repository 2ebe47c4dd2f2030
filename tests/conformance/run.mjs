#!/usr/bin/env node
// Runs the official MCP conformance server suite (`@modelcontextprotocol/conformance`, by default
// the 2025-11-25 requirement set) against the fixture backend tests/fixtures/conformance-server.mjs:
// directly over Streamable HTTP, then through Switchyard (the fixture as the backend
// `conformance`, at the per-backend endpoint /servers/conformance/mcp): as a stdio backend once
// with the default configuration (`proxy`) and once with `proxy.streamResponses: true`
// (`proxy-stream`), and as a Streamable HTTP backend (a second fixture process in its HTTP mode)
// with the default configuration (`proxy-http`). It prints
// one row per scenario with the outcomes, the totals and every check whose outcome a proxy
// changes; it exits 1 when there is such a check, 2 when the run itself fails.
//
// `--requirements 2026-07-28` runs the modern set instead: the fixture stays a legacy-era
// server, so the proxy's modern front (docs/protocol-versions.md, "The modern era") bridges the
// suite to it. `--proxies` names the proxy configurations to run (all three by default).
// `--backend modern` puts tests/fixtures/conformance-modern-server.mjs (the same fixture contract
// on the v2 SDK, a 2026-07-28 server) in the legacy fixture's place, directly and behind each
// proxy as a backend with `era: "modern"`.
//
//   node tests/conformance/run.mjs [--requirements 2025-11-25|2026-07-28]
//     [--proxies proxy,proxy-stream,proxy-http] [--backend legacy|modern]
//     [--sessions shared|per-client] [--json <file>] [--keep]
//
// Needs `pnpm build` (it runs apps/proxy/dist/cli.js and imports the built @switchyard/protocol)
// and npx: the suite runs on Node 22, fetched as the npm package `node@22`, because it does not
// start on Node 20.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { until } from '@switchyard/protocol/testing';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');
/** The fixture of each backend era, by name. */
export const FIXTURES = {
  legacy: join(repoRoot, 'tests/fixtures/conformance-server.mjs'),
  modern: join(repoRoot, 'tests/fixtures/conformance-modern-server.mjs'),
};
const cliPath = join(repoRoot, 'apps/proxy/dist/cli.js');

/** The suite version and requirement sets; all pinned so that runs stay comparable. */
export const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
export const REQUIREMENTS = '2025-11-25';
export const REQUIREMENT_SETS = [REQUIREMENTS, '2026-07-28'];
/** The proxy configurations, by name: the key of each in the summary, and its label. */
export const PROXIES = {
  proxy: { key: 'proxy', label: 'proxy' },
  'proxy-stream': { key: 'proxyStream', label: 'proxy with streamResponses' },
  'proxy-http': { key: 'proxyHttp', label: 'proxy to an HTTP backend' },
};
const SUITE_TIMEOUT_MS = 10 * 60_000;

/** Outcomes from worst to best; a check reported several times counts as its worst report. */
const SEVERITY = ['FAILURE', 'WARNING', 'SUCCESS', 'SKIPPED', 'INFO'];

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Starts a Node script, keeping its output; `exited` rejects when it ends. */
function launch(args, env = {}) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((_, fail) => {
    child.once('exit', (code, signal) => {
      fail(new Error(`${args[0]} exited (${code ?? signal}):\n${output}`));
    });
  });
  exited.catch(() => {});
  return { child, exited, output: () => output };
}

/** Polls `probe` until it returns a value, the process exits, or 30 s pass. */
async function waitFor(what, probe, launched) {
  try {
    return await until(() => Promise.race([probe(), launched.exited]), what, 30_000, 100);
  } catch (error) {
    if (!error.message.startsWith('timed out')) throw error;
    throw new Error(`${what} not ready after 30 s:\n${launched.output()}`);
  }
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Runs the suite against `url`, writing results under `outDir`; resolves to its exit code. */
function runSuite(url, requirements, outDir, log) {
  // --prefer-offline: once cached, runs need no registry round trip (`node@22` is a range).
  const args = ['--prefer-offline', '-y', '-p', 'node@22', '-p', SUITE, 'conformance', 'server'];
  args.push('--url', url, '--requirements', requirements, '-o', outDir);
  return new Promise((done, fail) => {
    const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      writeFileSync(join(outDir, 'suite-output.txt'), output);
      const summary = output.slice(output.lastIndexOf('=== SUMMARY ==='));
      if (summary.startsWith('===')) log(summary.trim().split('\n').slice(-6).join('\n'));
      else log(output.slice(-2_000));
      done(code ?? 1);
    });
  });
}

/** The check a scenario gets when the suite could not run it (it then writes no checks.json). */
export const NOT_RUN = 'scenario-run';

/**
 * Reads `<outDir>/server-<scenario>-<timestamp>/checks.json`, in the order the scenarios ran, into
 * `{ [scenario]: { [checkId]: { status, message? } } }`; `message` is the error, or for an INFO
 * outcome the suite's explanation. A scenario that threw before reporting (the suite counts it as
 * one failure) gets the single check `NOT_RUN`, a FAILURE with the suite's error line.
 */
export function readResults(outDir) {
  const runs = [];
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    const match = /^server-(.+)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)$/.exec(entry.name);
    if (entry.isDirectory() && match)
      runs.push({ dir: entry.name, scenario: match[1], at: match[2] });
  }
  runs.sort((a, b) => a.at.localeCompare(b.at));
  const results = {};
  const suiteOutputPath = join(outDir, 'suite-output.txt');
  const suiteOutput = existsSync(suiteOutputPath) ? readFileSync(suiteOutputPath, 'utf8') : '';
  for (const { dir, scenario } of runs) {
    const checksPath = join(outDir, dir, 'checks.json');
    if (!existsSync(checksPath)) {
      const failed = suiteOutput
        .split('\n')
        .find((line) => line.startsWith(`Failed to run scenario ${scenario}: `));
      results[scenario] = {
        [NOT_RUN]: { status: 'FAILURE', message: failed ?? 'the suite wrote no checks.json' },
      };
      continue;
    }
    const checks = JSON.parse(readFileSync(checksPath, 'utf8'));
    const byId = {};
    for (const check of checks) {
      const seen = byId[check.id];
      if (!seen || SEVERITY.indexOf(check.status) < SEVERITY.indexOf(seen.status)) {
        const message = check.errorMessage ?? check.details?.message;
        byId[check.id] = { status: check.status, ...(message ? { message } : {}) };
      }
    }
    results[scenario] = byId;
  }
  return results;
}

/** Outcomes that are diagnostics, not results: INFO, or a check a side did not report at all. */
const UNSCORED = new Set(['INFO', 'MISSING']);

/**
 * One row per check that has a result (not INFO) on at least one side; `same` says whether the
 * proxy's outcome equals the direct one.
 */
export function compare(direct, proxy) {
  const rows = [];
  const scenarios = [...new Set([...Object.keys(direct), ...Object.keys(proxy)])];
  for (const scenario of scenarios) {
    const ids = new Set([
      ...Object.keys(direct[scenario] ?? {}),
      ...Object.keys(proxy[scenario] ?? {}),
    ]);
    for (const check of ids) {
      const d = direct[scenario]?.[check] ?? { status: 'MISSING' };
      const p = proxy[scenario]?.[check] ?? { status: 'MISSING' };
      if (UNSCORED.has(d.status) && UNSCORED.has(p.status)) continue;
      rows.push({ scenario, check, direct: d, proxy: p, same: d.status === p.status });
    }
  }
  return rows;
}

function totals(rows, side) {
  const count = (status) => rows.filter((row) => row[side].status === status).length;
  return { passed: count('SUCCESS'), failed: count('FAILURE'), warnings: count('WARNING') };
}

/** One line per scenario: how its checks fared directly and through the proxy. */
export function formatTable(rows) {
  const outcome = (checks, side) => {
    const count = (status) => checks.filter((row) => row[side].status === status).length;
    const parts = [`${count('SUCCESS')} passed`];
    if (count('FAILURE')) parts.push(`${count('FAILURE')} failed`);
    if (count('WARNING')) parts.push(`${count('WARNING')} warnings`);
    const other = checks.length - count('SUCCESS') - count('FAILURE') - count('WARNING');
    if (other) parts.push(`${other} not checked`);
    return parts.join(', ');
  };
  const head = ['scenario', 'direct', 'proxy', ''];
  const cells = [...new Set(rows.map((row) => row.scenario))].map((scenario) => {
    const checks = rows.filter((row) => row.scenario === scenario);
    const differs = checks.some((row) => !row.same);
    return [
      scenario,
      outcome(checks, 'direct'),
      outcome(checks, 'proxy'),
      differs ? '<-- differs' : '',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * Starts the fixture and the proxies named in `proxies`, runs the `requirements` set against each,
 * and resolves to the comparison. Children are stopped and the scratch directory removed (unless
 * `keep`) in every case.
 */
export async function runConformance({
  log = console.log,
  keep = false,
  requirements = REQUIREMENTS,
  proxies = Object.keys(PROXIES),
  backend = 'legacy',
  sessions = 'shared',
} = {}) {
  const fixturePath = FIXTURES[backend];
  if (!fixturePath) throw new Error(`unknown backend ${backend}: one of ${Object.keys(FIXTURES)}`);
  // The proxy must not probe a modern backend into the legacy era it would fall back to.
  // `sessions: per-client` gives each client session its own backend session, so a legacy
  // backend's server requests are attributed to their client even while another client's call
  // waits on one (docs/transports.md, "Server-to-client requests").
  const era = {
    ...(backend === 'modern' ? { era: 'modern' } : {}),
    ...(sessions === 'shared' ? {} : { sessions }),
  };
  if (!REQUIREMENT_SETS.includes(requirements)) {
    throw new Error(`unknown requirement set ${requirements}: one of ${REQUIREMENT_SETS}`);
  }
  const unknown = proxies.filter((name) => !(name in PROXIES));
  if (unknown.length > 0 || !proxies.includes('proxy')) {
    throw new Error(`--proxies must name proxy and only ${Object.keys(PROXIES)}: ${proxies}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'switchyard-conformance-'));
  const children = [];
  const startedAt = Date.now();
  try {
    const fixture = launch([fixturePath, 'http', '0']);
    children.push(fixture.child);
    const fixturePort = await waitFor(
      'the fixture',
      async () => /port (\d+)/.exec(fixture.output())?.[1],
      fixture,
    );
    const directUrl = `http://127.0.0.1:${fixturePort}/mcp`;

    // The backend of `proxy-http`: its own fixture process, so that no state (sessions,
    // subscriptions, event stores) is shared with the direct run.
    const startHttpBackend = async () => {
      const backend = launch([fixturePath, 'http', '0']);
      children.push(backend.child);
      const backendPort = await waitFor(
        'the HTTP backend fixture',
        async () => /port (\d+)/.exec(backend.output())?.[1],
        backend,
      );
      return { url: `http://127.0.0.1:${backendPort}/mcp`, transport: 'streamable-http', ...era };
    };
    const stdioBackend = { command: process.execPath, args: [fixturePath, 'stdio'], ...era };

    /** Starts a proxy with `proxy` settings in front of `server`; resolves to its endpoint. */
    const startProxy = async (name, proxySettings, server = stdioBackend) => {
      const config = join(work, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({ proxy: proxySettings, servers: { conformance: server } }),
      );
      const port = await freePort();
      const proxy = launch(
        [cliPath, '--config', config, '--port', String(port), '--no-watch', '--log-level', 'warn'],
        { XDG_STATE_HOME: join(work, `${name}-state`) },
      );
      children.push(proxy.child);
      const origin = `http://127.0.0.1:${port}`;
      await waitFor(
        name,
        () =>
          fetch(`${origin}/ready`).then(
            (response) => response.ok,
            () => false,
          ),
        proxy,
      );
      return `${origin}/servers/conformance/mcp`;
    };
    const urls = { direct: directUrl, proxy: await startProxy('proxy', {}) };
    if (proxies.includes('proxy-stream')) {
      urls['proxy-stream'] = await startProxy('proxy-stream', { streamResponses: true });
    }
    if (proxies.includes('proxy-http')) {
      urls['proxy-http'] = await startProxy('proxy-http', {}, await startHttpBackend());
    }

    const runs = {};
    const exitCodes = {};
    const seconds = {};
    for (const [side, url] of Object.entries(urls)) {
      const outDir = join(work, side);
      mkdirSync(outDir);
      log(`conformance ${requirements} against ${side}: ${url}`);
      const began = Date.now();
      exitCodes[side] = await runSuite(url, requirements, outDir, log);
      seconds[side] = (Date.now() - began) / 1000;
      runs[side] = readResults(outDir);
    }

    if (Object.values(runs).some((results) => Object.keys(results).length === 0)) {
      throw new Error('the suite wrote no results; rerun with --keep and read */suite-output.txt');
    }
    /** One proxy side against direct: its totals, every check, and the differences. */
    const against = (name) => {
      const rows = compare(runs.direct, runs[name]);
      return {
        url: urls[name],
        exitCode: exitCodes[name],
        seconds: seconds[name],
        scenarios: Object.keys(runs[name]).sort(),
        ...totals(rows, 'proxy'),
        checks: rows,
        differences: rows.filter((row) => !row.same),
      };
    };
    const proxy = against('proxy');
    const directRows = proxy.checks;
    const others = {};
    for (const name of proxies) {
      if (name !== 'proxy') others[PROXIES[name].key] = against(name);
    }
    return {
      suite: SUITE,
      requirements,
      backend,
      sessions,
      direct: {
        url: directUrl,
        exitCode: exitCodes.direct,
        seconds: seconds.direct,
        scenarios: Object.keys(runs.direct).sort(),
        ...totals(directRows, 'direct'),
      },
      proxy,
      ...others,
      seconds: (Date.now() - startedAt) / 1000,
      ...(keep ? { workDir: work } : {}),
    };
  } finally {
    await Promise.all(children.map(stopChild));
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

export function report(summary) {
  const counts = (s) =>
    `${s.passed} passed, ${s.failed} failed${s.warnings ? `, ${s.warnings} warnings` : ''}`;
  const status = (outcome) =>
    outcome.message ? `${outcome.status} (${outcome.message})` : outcome.status;
  const lines = [];
  const sides = Object.values(PROXIES)
    .filter(({ key }) => summary[key])
    .map(({ key, label }) => [label, summary[key]]);
  for (const [label, side] of sides) {
    const title = `${summary.requirements}, ${summary.backend} fixture: direct vs ${label}`;
    lines.push(`== ${title}`, formatTable(side.checks), '');
    for (const row of side.differences) {
      lines.push(
        `differs: ${row.scenario} / ${row.check}: direct ${status(row.direct)}, ${label} ${status(row.proxy)}`,
      );
    }
    lines.push('');
  }
  const proxyCounts = sides.map(([label, side]) => `${label}: ${counts(side)}`);
  lines.push(`direct: ${[counts(summary.direct), ...proxyCounts].join('; ')}`);
  lines.push(`took ${summary.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      keep: { type: 'boolean' },
      requirements: { type: 'string', default: REQUIREMENTS },
      proxies: { type: 'string', default: Object.keys(PROXIES).join(',') },
      backend: { type: 'string', default: 'legacy' },
      sessions: { type: 'string', default: 'shared' },
    },
  });
  try {
    const summary = await runConformance({
      keep: values.keep === true,
      log: console.error,
      requirements: values.requirements,
      proxies: values.proxies.split(','),
      backend: values.backend,
      sessions: values.sessions,
    });
    console.log(report(summary));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
    const differences = Object.values(PROXIES)
      .map(({ key }) => summary[key]?.differences.length ?? 0)
      .reduce((a, b) => a + b, 0);
    process.exitCode = differences === 0 ? 0 : 1;
  } catch (error) {
    // 2, not 1: the run itself broke, so there is no comparison to judge.
    console.error(error);
    process.exitCode = 2;
  }
}
