import type { BackendEra, Clock } from '@switchyard/protocol';

/** What a backend turned out to speak at its last connect. */
type Verdict = { era: 'legacy' | 'modern'; at: number };

/**
 * The era each `auto` backend was found to speak, with when (docs/protocol-versions.md, "Modern
 * backends"). A legacy verdict lets the next connect run `initialize` at once, and is trusted only
 * for `recheckMs`: an upgraded server still answers `initialize`, so it would never be found
 * otherwise (MCP 2026-07-28, Transports: backward compatibility). A modern verdict skips nothing:
 * the probe is `server/discover`, the first modern request anyway, so a downgraded server is
 * noticed by the next connect.
 */
export class EraVerdicts {
  private readonly verdicts = new Map<string, Verdict>();

  constructor(private readonly clock: Clock) {}

  /** The era to connect a backend with: its configured one, or under `auto` what is known. */
  eraOf(name: string, configured: BackendEra, recheckMs: number): BackendEra {
    if (configured !== 'auto') return configured;
    const verdict = this.verdicts.get(name);
    if (verdict?.era !== 'legacy') return 'auto';
    return this.clock.now() - verdict.at < recheckMs ? 'legacy' : 'auto';
  }

  /** Records what a connect found. */
  record(name: string, era: 'legacy' | 'modern'): void {
    this.verdicts.set(name, { era, at: this.clock.now() });
  }

  /** The last verdict of a backend, if any. */
  verdictOf(name: string): Verdict | undefined {
    return this.verdicts.get(name);
  }
}
