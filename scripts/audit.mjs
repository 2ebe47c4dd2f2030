#!/usr/bin/env node
// The dependency floor in CI (docs/security.md, "Dependency floor"): `pnpm audit --prod` at high
// severity. A high or critical advisory fails the run; an audit endpoint that cannot be reached
// (no network, a registry mirror without the audit API) is reported as a warning instead, so CI
// does not fail for a reason that has nothing to do with the code.
import { spawnSync } from 'node:child_process';

const FAILING = ['high', 'critical'];
/** What pnpm prints when it could not ask the audit endpoint at all. */
const UNREACHABLE =
  /ERR_PNPM_AUDIT_BAD_RESPONSE|ERR_PNPM_AUDIT_ENDPOINT|ERR_PNPM_FETCH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|socket hang up|fetch failed/;

/** The JSON report pnpm printed, or undefined when there is none. */
function reportOf(stdout) {
  try {
    const report = JSON.parse(stdout);
    return report && typeof report === 'object' && 'metadata' in report ? report : undefined;
  } catch {
    return undefined;
  }
}

const run = spawnSync('pnpm', ['audit', '--prod', '--audit-level', 'high', '--json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (run.error) {
  console.error(`dependency audit: cannot run pnpm: ${run.error.message}`);
  process.exit(1);
}
const report = reportOf(run.stdout);
if (report) {
  const counts = report.metadata.vulnerabilities ?? {};
  const advisories = Object.values(report.advisories ?? {}).filter((advisory) =>
    FAILING.includes(advisory.severity),
  );
  const failing = FAILING.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  if (failing === 0) {
    console.log('dependency audit: no high or critical advisory in production dependencies');
    process.exit(0);
  }
  console.error(
    `dependency audit: ${failing} high or critical advisories in production dependencies`,
  );
  for (const advisory of advisories) {
    console.error(
      `  ${advisory.severity}: ${advisory.module_name} ${advisory.vulnerable_versions} (fixed in ${advisory.patched_versions}): ${advisory.title} ${advisory.url ?? ''}`,
    );
  }
  console.error(
    'Upgrade within semver, or record the exception and its reason in docs/security.md.',
  );
  process.exit(1);
}
const output = `${run.stdout}\n${run.stderr}`.trim();
if (run.status === 0) {
  console.log(output || 'dependency audit: no advisory reported');
  process.exit(0);
}
if (UNREACHABLE.test(output)) {
  console.warn(
    `::warning::dependency audit skipped: the audit endpoint could not be reached\n${output}`,
  );
  process.exit(0);
}
console.error(`dependency audit: pnpm audit failed (exit ${run.status})\n${output}`);
process.exit(run.status ?? 1);
