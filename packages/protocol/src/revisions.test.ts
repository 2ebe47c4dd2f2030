import { describe, expect, it } from 'vitest';
import {
  acceptsLegacyRevision,
  compareRevisions,
  eraOf,
  featuresOf,
  LATEST_LEGACY_REVISION,
  negotiateLegacyRevision,
  resolveRevision,
} from './revisions.js';

describe('revisions', () => {
  it('knows the five revisions and the 2024-10-07 alias', () => {
    expect(resolveRevision('2024-10-07')).toBe('2024-11-05');
    expect(resolveRevision('2026-07-28')).toBe('2026-07-28');
    expect(resolveRevision('2099-01-01')).toBeUndefined();
    expect(resolveRevision(42)).toBeUndefined();
  });

  it('classifies eras and orders revisions by date', () => {
    expect(eraOf('2025-11-25')).toBe('legacy');
    expect(eraOf('2026-07-28')).toBe('modern');
    expect(compareRevisions('2024-11-05', '2025-06-18')).toBeLessThan(0);
  });

  it('echoes a supported legacy revision and offers the latest otherwise', () => {
    expect(negotiateLegacyRevision('2025-03-26')).toBe('2025-03-26');
    expect(negotiateLegacyRevision('2024-10-07')).toBe('2024-11-05');
    expect(negotiateLegacyRevision('2099-01-01')).toBe(LATEST_LEGACY_REVISION);
    expect(negotiateLegacyRevision('2026-07-28')).toBe(LATEST_LEGACY_REVISION);
    expect(negotiateLegacyRevision(undefined)).toBe(LATEST_LEGACY_REVISION);
  });

  it('accepts only legacy counter-offers as a client', () => {
    expect(acceptsLegacyRevision('2024-11-05')).toBe(true);
    expect(acceptsLegacyRevision('2026-07-28')).toBe(false);
  });

  it('allows batches in 2025-03-26 only', () => {
    expect(featuresOf('2025-03-26').batches).toBe(true);
    expect(featuresOf('2025-06-18').batches).toBe(false);
    expect(featuresOf('2024-11-05').batches).toBe(false);
  });
});
