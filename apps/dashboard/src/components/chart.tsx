import { createEffect, For, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS custom property holding the colour, so charts follow the light or dark theme. */
  colorVar: string;
  unit: string;
  dashed?: boolean;
  /** Marks each value, for series with gaps (a latency exists only where there were requests). */
  points?: boolean;
}

/**
 * A uPlot line chart over time (x in epoch milliseconds), sized to its box and redrawn when the
 * data or the colour scheme changes. The legend is ours, in HTML, so it reads well and wraps.
 */
export function TimeChart(props: {
  title: string;
  series: ChartSeries[];
  x: number[];
  ys: Array<Array<number | null>>;
}) {
  let box: HTMLDivElement | undefined;
  let plot: uPlot | undefined;

  const data = (): uPlot.AlignedData => [props.x.map((t) => t / 1000), ...props.ys];

  const build = () => {
    if (!box) return;
    plot?.destroy();
    const style = getComputedStyle(document.documentElement);
    const color = (name: string) => style.getPropertyValue(name).trim() || 'currentColor';
    const axis: uPlot.Axis = {
      stroke: color('--muted'),
      grid: { stroke: color('--grid'), width: 1 },
      ticks: { stroke: color('--grid'), width: 1 },
    };
    plot = new uPlot(
      {
        width: Math.max(200, box.clientWidth),
        height: 160,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          axis,
          {
            ...axis,
            size: 50,
            values: (_u, ticks) => ticks.map((v) => `${v}${props.series[0]?.unit ?? ''}`),
          },
        ],
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: color(s.colorVar),
            width: 2,
            spanGaps: false,
            ...(s.dashed ? { dash: [6, 4] } : {}),
            ...(s.points ? { points: { show: true, size: 5, fill: color(s.colorVar) } } : {}),
          })),
        ],
      },
      data(),
      box,
    );
  };

  onMount(() => {
    build();
    const resize = new ResizeObserver(() => {
      if (box && plot) plot.setSize({ width: Math.max(200, box.clientWidth), height: 160 });
    });
    if (box) resize.observe(box);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    onCleanup(() => {
      resize.disconnect();
      scheme.removeEventListener('change', build);
      plot?.destroy();
    });
  });

  createEffect(() => {
    const next = data();
    plot?.setData(next);
  });

  return (
    <figure class="chart">
      <figcaption>
        <span class="chart-title">{props.title}</span>
        <span class="legend">
          <For each={props.series}>
            {(s) => (
              <span class="legend-item">
                <span
                  class={`swatch${s.dashed ? ' dashed' : ''}`}
                  style={{ 'border-color': `var(${s.colorVar})` }}
                  aria-hidden="true"
                />
                {s.label}
              </span>
            )}
          </For>
        </span>
      </figcaption>
      <div class="chart-box" ref={box} role="img" aria-label={`${props.title}, last 15 minutes`} />
    </figure>
  );
}
