import type { ResponseDetail } from '../types.js';

const cut = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

const percent = (weight: number): string => `${Math.round(weight * 100)}%`.padStart(4, ' ');

function header(r: ResponseDetail): string {
  const state = r.status === 'open' ? 'open' : `closed (${r.closeReason ?? 'unknown'})`;
  const who = [r.agent, r.model].filter(Boolean).join(' / ');
  return `Response ${r.id} | session ${r.sessionId} | ${state} | ${r.contexts.length} contexts${who ? ` | ${who}` : ''}`;
}

/**
 * The seed's `tree` format: the response, then its contexts heaviest first as
 * `[NN%] id (Type) - summary`, summaries cut at 50 characters.
 */
export function formatTree(r: ResponseDetail): string {
  const lines = [header(r)];
  r.contexts.forEach((c, i) => {
    const branch = i === r.contexts.length - 1 ? '└──' : '├──';
    const type = c.unit?.type ?? 'unknown';
    const summary = cut(c.unit?.summary ?? '', 50);
    lines.push(`${branch} [${percent(c.weight)}] ${c.unitId} (${type}) - ${summary}`);
  });
  return lines.join('\n');
}

/** The seed's `compact` format: header, units per type, top three (summaries cut at 60). */
export function formatCompact(r: ResponseDetail): string {
  const counts = new Map<string, number>();
  for (const c of r.contexts) {
    const type = c.unit?.type ?? 'unknown';
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const types = [...counts].map(([t, n]) => `${t} ${n}`).join(', ');
  const top = r.contexts
    .slice(0, 3)
    .map(
      (c, i) =>
        `${i + 1}. ${percent(c.weight).trim()} ${c.unitId} - ${cut(c.unit?.summary ?? '', 60)}`,
    );
  const feedback =
    r.feedback.length > 0 ? [`Feedback: ${r.feedback.map((f) => f.score).join(', ')}`] : [];
  return [header(r), `Types: ${types || 'none'}`, 'Top contributors:', ...top, ...feedback].join(
    '\n',
  );
}
