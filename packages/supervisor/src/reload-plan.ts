/** What a configuration change means for the supervised backends (docs/operations.md, "Hot reload"). */
export interface ReloadPlan<T> {
  added: T[];
  removed: T[];
  changed: T[];
  unchanged: T[];
}

/**
 * Compares two server lists by name: only servers whose settings differ are to be restarted, so
 * an edit to one server never disturbs the others.
 */
export function planReload<T extends { name: string }>(
  before: readonly T[],
  after: readonly T[],
  same: (a: T, b: T) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b),
): ReloadPlan<T> {
  const old = new Map(before.map((item) => [item.name, item]));
  const plan: ReloadPlan<T> = { added: [], removed: [], changed: [], unchanged: [] };
  for (const item of after) {
    const previous = old.get(item.name);
    if (!previous) plan.added.push(item);
    else if (same(previous, item)) plan.unchanged.push(item);
    else plan.changed.push(item);
  }
  const kept = new Set(after.map((item) => item.name));
  plan.removed = before.filter((item) => !kept.has(item.name));
  return plan;
}
