import type { SeriesPoint } from '@switchyard/admin-api';
import { createMemo } from 'solid-js';

const WIDTH = 240;
const HEIGHT = 40;

function pathOf(values: number[], max: number): string {
  if (values.length === 0) return '';
  const step = values.length > 1 ? WIDTH / (values.length - 1) : WIDTH;
  return values
    .map((value, i) => {
      const x = (i * step).toFixed(1);
      const y = (HEIGHT - 2 - (value / max) * (HEIGHT - 4)).toFixed(1);
      return `${i === 0 ? 'M' : 'L'}${x},${y}`;
    })
    .join(' ');
}

/**
 * Requests and errors per bucket over the last 15 minutes, as a tiny SVG: small enough to stay in
 * the first bundle, where uPlot would not.
 */
export function Sparkline(props: { series: SeriesPoint[]; label: string }) {
  const paths = createMemo(() => {
    const requests = props.series.map((p) => p.requests);
    const errors = props.series.map((p) => p.errors);
    const max = Math.max(1, ...requests);
    return {
      requests:
        requests.length > 0 ? pathOf(requests, max) : `M0,${HEIGHT - 2} L${WIDTH},${HEIGHT - 2}`,
      errors: errors.some((e) => e > 0) ? pathOf(errors, max) : '',
    };
  });
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={props.label}
    >
      <path class="spark-requests" d={paths().requests} />
      <path class="spark-errors" d={paths().errors} />
    </svg>
  );
}
