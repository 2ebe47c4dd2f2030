import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { EraVerdicts } from './era-verdicts.js';

describe('EraVerdicts', () => {
  it('keeps a configured era whatever was found', () => {
    const verdicts = new EraVerdicts(new ManualClock());
    verdicts.record('a', 'legacy');
    expect(verdicts.eraOf('a', 'modern', 1000)).toBe('modern');
    expect(verdicts.eraOf('a', 'legacy', 1000)).toBe('legacy');
  });

  it('probes a backend it knows nothing of, or found modern', () => {
    const verdicts = new EraVerdicts(new ManualClock());
    expect(verdicts.eraOf('a', 'auto', 1000)).toBe('auto');
    verdicts.record('a', 'modern');
    expect(verdicts.eraOf('a', 'auto', 1000)).toBe('auto');
  });

  it('trusts a legacy verdict until it expires, then probes again', () => {
    const clock = new ManualClock();
    const verdicts = new EraVerdicts(clock);
    verdicts.record('a', 'legacy');
    clock.advance(999);
    expect(verdicts.eraOf('a', 'auto', 1000)).toBe('legacy');
    clock.advance(1);
    expect(verdicts.eraOf('a', 'auto', 1000)).toBe('auto');
  });
});
