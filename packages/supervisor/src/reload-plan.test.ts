import { describe, expect, it } from 'vitest';
import { planReload } from './reload-plan.js';

describe('planReload', () => {
  it('sorts servers into added, removed, changed and unchanged by name', () => {
    const before = [
      { name: 'a', args: ['1'] },
      { name: 'b', args: ['1'] },
      { name: 'c', args: ['1'] },
    ];
    const after = [
      { name: 'a', args: ['1'] },
      { name: 'b', args: ['2'] },
      { name: 'd', args: ['1'] },
    ];
    const plan = planReload(before, after);
    expect(plan.added.map((s) => s.name)).toEqual(['d']);
    expect(plan.removed.map((s) => s.name)).toEqual(['c']);
    expect(plan.changed.map((s) => s.name)).toEqual(['b']);
    expect(plan.unchanged.map((s) => s.name)).toEqual(['a']);
  });
});
