import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers.js';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/**
 * Runs `scripts/audit.mjs` (the dependency audit of `.ci/run`) with a stand-in `pnpm` first on
 * PATH that prints `stdout` and `stderr` and exits with `status`, as `pnpm audit` would.
 */
function audit(stdout: string, stderr: string, status: number) {
  const dir = tempDir();
  dirs.push(dir);
  writeFileSync(join(dir.path, 'out'), stdout);
  writeFileSync(join(dir.path, 'err'), stderr);
  const fake = join(dir.path, 'pnpm');
  writeFileSync(
    fake,
    `#!/bin/sh\ncat "${dir.path}/out"\ncat "${dir.path}/err" >&2\nexit ${status}\n`,
  );
  chmodSync(fake, 0o755);
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts/audit.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir.path}:${process.env.PATH}` },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const report = (vulnerabilities: Record<string, number>, advisories: object = {}) =>
  JSON.stringify({ advisories, metadata: { vulnerabilities } });

describe('the dependency audit of CI', () => {
  it('passes when no production dependency has a high or critical advisory', () => {
    const result = audit(report({ low: 2, moderate: 1, high: 0, critical: 0 }), '', 0);
    expect(result).toMatchObject({ status: 0 });
    expect(result.output).toMatch(/no high or critical advisory/);
  });

  it('fails on a high advisory and names it', () => {
    const advisory = {
      module_name: 'undici',
      severity: 'high',
      vulnerable_versions: '<7.31.0',
      patched_versions: '>=7.31.0',
      title: 'A made-up flaw',
      url: 'https://example.com/advisory',
    };
    const result = audit(report({ high: 1, critical: 0 }, { 1: advisory }), '', 1);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/high: undici <7\.31\.0 \(fixed in >=7\.31\.0\): A made-up flaw/);
  });

  it('warns instead of failing when the audit endpoint cannot be reached', () => {
    for (const stderr of [
      'Error: ERR_PNPM_AUDIT_BAD_RESPONSE  The audit endpoint responded with 405',
      'request to https://registry.npmjs.org/-/npm/v1/security/audits failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org',
    ]) {
      const result = audit('', stderr, 1);
      expect(result.status).toBe(0);
      expect(result.output).toMatch(/::warning::dependency audit skipped/);
    }
  });

  it('fails on any other error of pnpm audit', () => {
    const result = audit('', 'ERR_PNPM_LOCKFILE_BREAKING_CHANGE', 1);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/pnpm audit failed/);
  });
});
