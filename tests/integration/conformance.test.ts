import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers.js';

/** One check of the summary written by tests/conformance/run.mjs. */
interface CheckRow {
  scenario: string;
  check: string;
  direct: { status: string; message?: string };
  proxy: { status: string; message?: string };
  same: boolean;
}
interface SideSummary {
  url: string;
  exitCode: number;
  seconds: number;
  scenarios: string[];
  passed: number;
  failed: number;
  warnings: number;
}
/** A proxy side compared with direct: every check, and those whose outcome differs. */
interface ProxySummary extends SideSummary {
  checks: CheckRow[];
  differences: CheckRow[];
}
interface Summary {
  direct: SideSummary;
  /** The default configuration. */
  proxy: ProxySummary;
  /** `proxy.streamResponses: true`. */
  proxyStream: ProxySummary;
  /** The default configuration, with the fixture as a Streamable HTTP backend instead of stdio. */
  proxyHttp: ProxySummary;
  seconds: number;
}

/**
 * Runs tests/conformance/run.mjs with `args`, writing its summary to `json`; resolves to the
 * summary, its report (stdout) and everything it printed.
 */
async function runConformanceScript(json: string, args: string[]) {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'tests/conformance/run.mjs'), '--json', json, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let report = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    report += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  // 1 means "the proxy differs", which the tests judge; anything else is a broken run.
  if (code !== 0 && code !== 1) throw new Error(`run.mjs exited with ${code}:\n${output}`);
  return { summary: JSON.parse(readFileSync(json, 'utf8')) as unknown, report, output };
}

/** Every server scenario `conformance server --requirements 2025-11-25` runs (30 scored, 3 not). */
const SCENARIOS = [
  'server-initialize',
  'logging-set-level',
  'ping',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'server-sse-multiple-streams',
  'elicitation-sep1330-enums',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'dns-rebinding-protection',
  'server-session-lifecycle',
  'json-schema-2020-12',
  'server-sse-polling',
];

/**
 * A backend cannot make the proxy cut its client's stream mid-call (SEP-1699 polling): the proxy
 * absorbs what happens on its backend hop, so the suite's disconnect check finds the answer on the
 * first stream (INFO) where the fixture, closing its own stream, gets SUCCESS.
 */
const DISCONNECT = 'server-sse-polling / server-sse-disconnect-resume';

/**
 * Checks whose outcome a proxy changes, with why. None is a FAILURE. The test fails when a list is
 * stale in either direction: a new difference, or one that went away.
 */
// By default a POST is answered with JSON unless something must be streamed, which the spec
// allows; the SSE checks then have nothing to check (INFO, or not reported).
const JSON_ANSWERS = {
  'server-sse-multiple-streams / server-sse-streams-functional':
    'three concurrent tools/list POSTs are answered with JSON: INFO, not SUCCESS',
  'server-sse-polling / server-sse-priming-event':
    'test_reconnection is answered with JSON: the SSE checks are not applicable',
  'server-sse-polling / server-sse-retry-field': 'as above',
  [DISCONNECT]: 'as above',
};
const KNOWN_DIFFERENCES: Record<'proxy' | 'proxyStream' | 'proxyHttp', Record<string, string>> = {
  proxy: JSON_ANSWERS,
  proxyStream: { [DISCONNECT]: 'the backend cannot cut the client stream' },
  // Over Streamable HTTP the fixture does close its stream mid-call (SSE polling); the proxy
  // resumes it with Last-Event-ID on its backend hop and answers its client as over stdio.
  proxyHttp: JSON_ANSWERS,
};

describe('the MCP conformance suite, directly and through the proxy', () => {
  const dir = tempDir();
  let summary: Summary;

  beforeAll(async () => {
    const run = await runConformanceScript(join(dir.path, 'summary.json'), []);
    summary = run.summary as Summary;
    console.log(run.output.slice(run.output.lastIndexOf('direct: ')));
  }, 600_000);

  afterAll(() => dir.remove());

  it('runs every scenario of the 2025-11-25 requirement set directly', () => {
    expect(summary.direct.scenarios).toEqual([...SCENARIOS].sort());
  });

  it('passes every check directly, so the fixture implements the whole fixture contract', () => {
    const direct = summary.direct;
    console.log(
      `conformance 2025-11-25 direct: ${direct.passed} passed, ${direct.failed} failed, ${direct.warnings} warnings (${direct.seconds} s)`,
    );
    expect(summary.proxy.checks.filter((r) => r.direct.status !== 'SUCCESS')).toEqual([]);
    expect(direct.exitCode).toBe(0);
  });

  for (const side of ['proxy', 'proxyStream', 'proxyHttp'] as const) {
    it(`gives every check the direct outcome through the ${side}, but for the known differences`, () => {
      const proxy = summary[side];
      console.log(
        `conformance 2025-11-25 ${side}: ${proxy.passed} passed, ${proxy.failed} failed, ${proxy.warnings} warnings (${proxy.seconds} s)`,
      );
      expect(proxy.scenarios).toEqual([...SCENARIOS].sort());
      const differences = proxy.differences.map((r) => `${r.scenario} / ${r.check}`);
      expect(differences.sort()).toEqual(Object.keys(KNOWN_DIFFERENCES[side]).sort());
      expect(proxy.failed).toBe(0);
      expect(proxy.exitCode).toBe(0);
    });
  }
});

/** The summary of a 2026-07-28 run: the stdio-backend and the HTTP-backend proxy. */
interface ModernSummary {
  direct: SideSummary;
  proxy: ProxySummary;
  proxyHttp: ProxySummary;
  seconds: number;
}

/**
 * Why a check of the 2026-07-28 set fails through the proxy (docs/protocol-versions.md,
 * "Conformance", "The 2026-07-28 requirement set").
 */
const LISTEN_MODERN_BACKEND =
  "a modern backend's list change reaches the front's listen stream through the proxy's own listen stream to that backend and the router's list_changed debounce; the suite waits a fixed window for it (a SHOULD), which a loaded machine can miss";
const TASKS = 'the tasks extension is not offered (extension scenario, not scored)';
const SDK_NO_MCP_PARAM =
  'the v2 server SDK does not check Mcp-Param-* headers: a missing or invalid one is served (pending scenario)';

function expectFailing(reason: string, scenario: string, checks: string[]) {
  return Object.fromEntries(checks.map((check) => [`${scenario} / ${check}`, reason]));
}

/** The tasks extension checks, which fail through every proxy and against every fixture. */
const TASK_FAILURES: Record<string, string> = {
  ...expectFailing(TASKS, 'tasks-lifecycle', [
    'tasks-sync-tool-call',
    'sep-2663-result-type-task-on-create',
    'sep-2663-tasks-get-status-working',
    'sep-2663-tasks-get-status-completed',
    'sep-2663-tool-error-uses-completed-status',
    'sep-2663-tasks-get-status-failed',
    'sep-2663-cancel-ack-empty-result',
    'tasks-cancel-terminal-idempotent-ack',
  ]),
  ...expectFailing(TASKS, 'tasks-capability-negotiation', [
    'tasks-extension-advertised',
    'sep-2663-tasks-methods-non-declaring',
    'sep-2663-server-rejects-undeclared-client',
    'tasks-per-request-meta-opt-in',
  ]),
  ...expectFailing(TASKS, 'tasks-wire-fields', [
    'tasks-wire-field-renames',
    'tasks-no-early-ttl-expiry',
    'tasks-no-related-task-meta-on-inlined-result',
  ]),
  ...expectFailing(TASKS, 'tasks-request-state-removal', ['tasks-request-state-removal-setup']),
  ...expectFailing(TASKS, 'tasks-mrtr-input', [
    'sep-2663-tasks-get-status-input-required',
    'tasks-mrtr-tasks-update-resumes',
    'tasks-mrtr-partial-fulfillment',
  ]),
  ...expectFailing(TASKS, 'tasks-request-headers', [
    'tasks-headers-tolerate-mcp-method-on-tools-call',
    'sep-2663-routing-headers-accepted-on-tasks-get',
    'sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get',
  ]),
  ...expectFailing(TASKS, 'tasks-dispatch-and-envelope', [
    'tasks-server-directed-creation-no-hint',
    'sep-2663-legacy-task-param-ignored',
    'tasks-immediate-result-shortcut',
    'tasks-result-type-complete-on-non-task-responses',
    'sep-2663-durable-create-strong-consistency',
    'sep-2663-tasks-get-invalid-task-id-32602',
  ]),
  ...expectFailing(TASKS, 'tasks-required-task-error', [
    'sep-2663-server-returns-missing-capability-when-required',
  ]),
  ...expectFailing(TASKS, 'tasks-mrtr-composition', [
    'sep-2663-mrtr-synchronous-before-task-creation',
  ]),
};

/**
 * Every check that fails (FAILURE or WARNING) through the proxy in front of the legacy fixture,
 * with why: only the tasks extension. Everything else passes: every `server-stateless` check (the
 * diagnostic tools, listen), every `Mcp-Param` check (the proxy's front checks them against the
 * tool's declarations), every `input-required-result` check (the proxy turns the fixture's server
 * requests into InputRequiredResults, under the keys the fixture names).
 */
const MODERN_EXPECTED_FAILURES: Record<string, string> = TASK_FAILURES;

/** Every check that fails directly against the modern fixture (the v2 SDK), with why. */
const MODERN_FIXTURE_DIRECT_FAILURES: Record<string, string> = {
  ...TASK_FAILURES,
  ...expectFailing(SDK_NO_MCP_PARAM, 'http-custom-header-server-validation', [
    'sep-2243-server-validate-param-match',
    'sep-2243-server-reject-invalid-param-chars',
    'sep-2243-server-reject-param-mismatch',
  ]),
};

/**
 * Every check that fails through the proxy in front of the modern fixture (a backend with
 * `era: modern`), with why. The Mcp-Param checks the fixture fails directly pass: the proxy's
 * front checks the headers before the call reaches the backend.
 */
const MODERN_FIXTURE_PROXY_FAILURES: Record<string, string> = TASK_FAILURES;

/** Checks that may warn or pass through the proxy in front of the modern fixture, with why. */
const MODERN_FIXTURE_PROXY_MAY_WARN: Record<string, string> = expectFailing(
  LISTEN_MODERN_BACKEND,
  'server-stateless',
  [
    'sep-2575-server-sends-tools-list-changed-on-subscription',
    'sep-2575-server-sends-prompts-list-changed-on-subscription',
  ],
);

/** `scenario / check` of every check that fails or warns on one side of `rows`. */
function failing(rows: CheckRow[], side: 'direct' | 'proxy' = 'proxy') {
  return rows
    .filter((r) => r[side].status === 'FAILURE' || r[side].status === 'WARNING')
    .map((r) => `${r.scenario} / ${r.check}`)
    .sort();
}

/**
 * Fails on a failing check not in `expected` (nor in `mayFail`), and on an entry of `expected`
 * that passes now.
 */
function expectFailures(
  failed: string[],
  expected: Record<string, string>,
  where: string,
  mayFail: Record<string, string> = {},
) {
  expect(
    failed.filter((check) => !(check in expected) && !(check in mayFail)),
    `checks that fail ${where} but are not expected to`,
  ).toEqual([]);
  expect(
    Object.keys(expected)
      .sort()
      .filter((check) => !failed.includes(check)),
    `checks that pass ${where} now: drop them from the list and update docs/protocol-versions.md`,
  ).toEqual([]);
}

/** Runs the 2026-07-28 set against the stdio and the HTTP backend proxy, with `args` added. */
async function runModernSet(path: string, args: string[] = []): Promise<ModernSummary> {
  const run = await runConformanceScript(path, [
    '--requirements',
    '2026-07-28',
    '--proxies',
    'proxy,proxy-http',
    ...args,
  ]);
  // The per-scenario tables and totals; the per-check differences (whose messages may run over
  // several lines) are in the summary.
  let table = true;
  const lines = run.report.split('\n').filter((line) => {
    if (line.startsWith('differs: ')) table = false;
    else if (line.startsWith('== ') || line.startsWith('direct: ')) table = true;
    return table;
  });
  console.log(lines.join('\n'));
  return run.summary as ModernSummary;
}

const counts = (s: SideSummary) =>
  `${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings (${s.seconds} s)`;

describe('the 2026-07-28 conformance suite, directly against a legacy-era server and through the proxy', () => {
  const dir = tempDir();
  let summary: ModernSummary;

  beforeAll(async () => {
    summary = await runModernSet(join(dir.path, 'summary.json'));
  }, 600_000);

  afterAll(() => dir.remove());

  it('runs the same 50 scenarios directly and through each proxy', () => {
    const direct = summary.direct;
    console.log(`conformance 2026-07-28 legacy fixture direct: ${counts(direct)}`);
    expect(direct.scenarios).toHaveLength(50);
    expect(summary.proxy.scenarios).toEqual(direct.scenarios);
    expect(summary.proxyHttp.scenarios).toEqual(direct.scenarios);
  });

  for (const side of ['proxy', 'proxyHttp'] as const) {
    it(`passes more checks through the ${side} than directly, and fails only the expected ones`, () => {
      const proxy = summary[side];
      console.log(`conformance 2026-07-28 legacy fixture ${side}: ${counts(proxy)}`);
      expect(proxy.passed).toBeGreaterThan(summary.direct.passed);
      expectFailures(failing(proxy.checks), MODERN_EXPECTED_FAILURES, `through the ${side}`);
    });
  }
});

describe('the 2026-07-28 conformance suite, directly against a modern-era server and through the proxy', () => {
  const dir = tempDir();
  let summary: ModernSummary;

  beforeAll(async () => {
    summary = await runModernSet(join(dir.path, 'summary.json'), ['--backend', 'modern']);
  }, 600_000);

  afterAll(() => dir.remove());

  it('fails directly only where the v2 SDK does not implement the check, over the same 50 scenarios', () => {
    const direct = summary.direct;
    console.log(`conformance 2026-07-28 modern fixture direct: ${counts(direct)}`);
    expect(direct.scenarios).toHaveLength(50);
    expect(summary.proxy.scenarios).toEqual(direct.scenarios);
    expect(summary.proxyHttp.scenarios).toEqual(direct.scenarios);
    expectFailures(
      failing(summary.proxy.checks, 'direct'),
      MODERN_FIXTURE_DIRECT_FAILURES,
      'directly',
    );
  });

  for (const side of ['proxy', 'proxyHttp'] as const) {
    it(`fails through the ${side} only the expected checks`, () => {
      const proxy = summary[side];
      console.log(`conformance 2026-07-28 modern fixture ${side}: ${counts(proxy)}`);
      expect(proxy.passed).toBeGreaterThanOrEqual(summary.direct.passed);
      expectFailures(
        failing(proxy.checks),
        MODERN_FIXTURE_PROXY_FAILURES,
        `through the ${side}`,
        MODERN_FIXTURE_PROXY_MAY_WARN,
      );
    });
  }
});
