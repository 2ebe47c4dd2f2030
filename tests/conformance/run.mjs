#!/usr/bin/env node
// Runs the official MCP conformance server suite (`@modelcontextprotocol/conformance`, the
// 2025-11-25 requirement set) against the fixture backend tests/fixtures/conformance-server.mjs:
// directly over Streamable HTTP, then through Switchyard (the fixture as the backend
// `conformance`, at the per-backend endpoint /servers/conformance/mcp): as a stdio backend once
// with the default configuration (`proxy`) and once with `proxy.streamResponses: true`
// (`proxy-stream`), and as a Streamable HTTP backend (a second fixture process in its HTTP mode)
// with the default configuration (`proxy-http`). It prints
// one row per scenario with the outcomes, the totals and every check whose outcome a proxy
// changes; it exits 1 when there is such a check, 2 when the run itself fails.
//
//   node tests/conformance/run.mjs [--json <file>] [--keep]
//
// Needs `pnpm build` (it runs apps/proxy/dist/cli.js and imports the built @switchyard/protocol)
// and npx: the suite runs on Node 22, fetched as the npm package `node@22`, because it does not
// start on Node 20.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { until } from '@switchyard/protocol/testing';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');
const fixturePath = join(repoRoot, 'tests/fixtures/conformance-server.mjs');
const cliPath = join(repoRoot, 'apps/proxy/dist/cli.js');

/** The suite version and requirement set; both pinned so that runs stay comparable. */
export const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
export const REQUIREMENTS = '2025-11-25';
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
function runSuite(url, outDir, log) {
  // --prefer-offline: once cached, runs need no registry round trip (`node@22` is a range).
  const args = ['--prefer-offline', '-y', '-p', 'node@22', '-p', SUITE, 'conformance', 'server'];
  args.push('--url', url, '--requirements', REQUIREMENTS, '-o', outDir);
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

/**
 * Reads `<outDir>/server-<scenario>-<timestamp>/checks.json`, in the order the scenarios ran, into
 * `{ [scenario]: { [checkId]: { status, message? } } }`; `message` is the error, or for an INFO
 * outcome the suite's explanation.
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
  for (const { dir, scenario } of runs) {
    const checks = JSON.parse(readFileSync(join(outDir, dir, 'checks.json'), 'utf8'));
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
 * Starts the fixture and the proxy, runs the suite against both, and resolves to the comparison.
 * Children are stopped and the scratch directory removed (unless `keep`) in every case.
 */
export async function runConformance({ log = console.log, keep = false } = {}) {
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
    const backend = launch([fixturePath, 'http', '0']);
    children.push(backend.child);
    const backendPort = await waitFor(
      'the HTTP backend fixture',
      async () => /port (\d+)/.exec(backend.output())?.[1],
      backend,
    );
    const stdioBackend = { command: process.execPath, args: [fixturePath, 'stdio'] };
    const httpBackend = {
      url: `http://127.0.0.1:${backendPort}/mcp`,
      transport: 'streamable-http',
    };

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
    const urls = {
      direct: directUrl,
      proxy: await startProxy('proxy', {}),
      'proxy-stream': await startProxy('proxy-stream', { streamResponses: true }),
      'proxy-http': await startProxy('proxy-http', {}, httpBackend),
    };

    const runs = {};
    const exitCodes = {};
    const seconds = {};
    for (const [side, url] of Object.entries(urls)) {
      const outDir = join(work, side);
      mkdirSync(outDir);
      log(`conformance ${REQUIREMENTS} against ${side}: ${url}`);
      const began = Date.now();
      exitCodes[side] = await runSuite(url, outDir, log);
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
    return {
      suite: SUITE,
      requirements: REQUIREMENTS,
      direct: {
        url: directUrl,
        exitCode: exitCodes.direct,
        seconds: seconds.direct,
        scenarios: Object.keys(runs.direct).sort(),
        ...totals(directRows, 'direct'),
      },
      proxy,
      proxyStream: against('proxy-stream'),
      proxyHttp: against('proxy-http'),
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
  for (const [label, side] of [
    ['proxy', summary.proxy],
    ['proxy with streamResponses', summary.proxyStream],
    ['proxy to an HTTP backend', summary.proxyHttp],
  ]) {
    lines.push(`== direct vs ${label}`, formatTable(side.checks), '');
    for (const row of side.differences) {
      lines.push(
        `differs: ${row.scenario} / ${row.check}: direct ${status(row.direct)}, ${label} ${status(row.proxy)}`,
      );
    }
    lines.push('');
  }
  lines.push(
    `direct: ${counts(summary.direct)}; proxy: ${counts(summary.proxy)}; proxy with streamResponses: ${counts(summary.proxyStream)}; proxy to an HTTP backend: ${counts(summary.proxyHttp)}`,
  );
  lines.push(`took ${summary.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, keep: { type: 'boolean' } },
  });
  try {
    const summary = await runConformance({ keep: values.keep === true, log: console.error });
    console.log(report(summary));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
    const differences =
      summary.proxy.differences.length +
      summary.proxyStream.differences.length +
      summary.proxyHttp.differences.length;
    process.exitCode = differences === 0 ? 0 : 1;
  } catch (error) {
    // 2, not 1: the run itself broke, so there is no comparison to judge.
    console.error(error);
    process.exitCode = 2;
  }
}
