import type { ServerState } from '@switchyard/admin-api';

/** How a state reads on screen: its word and the colour family (a CSS class). */
export function stateTone(state: ServerState): 'ok' | 'warn' | 'bad' | 'idle' {
  switch (state) {
    case 'running':
      return 'ok';
    case 'degraded':
    case 'starting':
    case 'stopping':
    case 'backoff':
      return 'warn';
    case 'failed':
      return 'bad';
    case 'stopped':
      return 'idle';
  }
}

/** A ratio as a percentage, with more digits below 1%. */
export function percent(ratio: number): string {
  if (ratio === 0) return '0%';
  const value = ratio * 100;
  return `${value < 1 ? value.toFixed(2) : value.toFixed(1)}%`;
}

/** A latency in milliseconds; `–` when there was no request to measure. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

/** Requests per second. */
export function rate(perSecond: number): string {
  return perSecond < 10 ? `${perSecond.toFixed(2)}/s` : `${Math.round(perSecond)}/s`;
}

/** A span of time in its two largest units: `42s`, `3m 5s`, `2h 10m`, `3d 4h`. */
export function duration(milliseconds: number): string {
  const s = Math.max(0, Math.floor(milliseconds / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The local time of day, 24-hour. */
export function time(at: number | string): string {
  return new Date(at).toLocaleTimeString(undefined, { hour12: false });
}

/** The local date and time. */
export function dateTime(at: number | string): string {
  const date = new Date(at);
  return `${date.toLocaleDateString()} ${date.toLocaleTimeString(undefined, { hour12: false })}`;
}

/** JSON indented for reading. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}
