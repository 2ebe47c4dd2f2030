import type { ServerWindows, WindowName, WindowStats } from '@switchyard/admin-api';
import { createMemo, createSignal, For, Show } from 'solid-js';
import { TimeChart } from '../components/chart.jsx';
import { Empty, Loading } from '../components/states.jsx';
import { ms, percent, rate } from '../format.js';
import { live } from '../live.js';
import { href } from '../router.js';

const WINDOWS: Array<{ name: WindowName; label: string }> = [
  { name: '1m', label: '1 minute' },
  { name: '5m', label: '5 minutes' },
  { name: '15m', label: '15 minutes' },
];

/**
 * Request rate, errors and latency (p50, p95, p99) per server, computed by the proxy from the
 * requests it handled and pushed every 5 seconds on the event stream.
 */
export default function MetricsPage() {
  const [window, setWindow] = createSignal<WindowName>('5m');
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <Show when={live.metrics} fallback={<Loading what="the metrics" />}>
        {(metrics) => (
          <>
            <fieldset class="segmented">
              <legend>Window</legend>
              <For each={WINDOWS}>
                {(w) => (
                  <label>
                    <input
                      type="radio"
                      name="window"
                      value={w.name}
                      checked={window() === w.name}
                      onChange={() => setWindow(w.name)}
                    />
                    {w.label}
                  </label>
                )}
              </For>
            </fieldset>
            <StatsTable
              total={metrics().total[window()]}
              servers={metrics().servers}
              window={window()}
            />
            <Show
              when={metrics().servers.length > 0}
              fallback={<Empty>No server has handled a request yet.</Empty>}
            >
              <div class="chart-grid">
                <For each={metrics().servers}>
                  {(server) => <ServerCharts server={server} bucketMs={metrics().bucketMs} />}
                </For>
              </div>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}

function StatsTable(props: { total: WindowStats; servers: ServerWindows[]; window: WindowName }) {
  return (
    <section class="table-box" tabindex="0" aria-label="Requests per server">
      <table>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Requests</th>
            <th scope="col">Rate</th>
            <th scope="col">Errors</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
            <th scope="col">p99</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.servers}>
            {(server) => <StatsRow name={server.server} stats={server.windows[props.window]} />}
          </For>
        </tbody>
        <tfoot>
          <StatsRow name="All servers" stats={props.total} />
        </tfoot>
      </table>
    </section>
  );
}

function StatsRow(props: { name: string; stats: WindowStats }) {
  return (
    <tr>
      <th scope="row">
        <Show when={props.name !== 'All servers'} fallback={props.name}>
          <a href={href.server(props.name)}>{props.name}</a>
        </Show>
      </th>
      <td>{props.stats.requests}</td>
      <td>{rate(props.stats.ratePerSecond)}</td>
      <td class={props.stats.errors > 0 ? 'tone-bad' : undefined}>
        {props.stats.errors} ({percent(props.stats.errorRate)})
      </td>
      <td>{ms(props.stats.p50Ms)}</td>
      <td>{ms(props.stats.p95Ms)}</td>
      <td>{ms(props.stats.p99Ms)}</td>
    </tr>
  );
}

function ServerCharts(props: { server: ServerWindows; bucketMs: number }) {
  const x = createMemo(() => props.server.series.map((p) => p.t));
  const perSecond = (n: number) => n / (props.bucketMs / 1000);
  return (
    <article class="card" aria-label={`Metrics of ${props.server.server}`}>
      <h2 class="wrap">{props.server.server}</h2>
      <TimeChart
        title="Requests per second"
        x={x()}
        ys={[
          props.server.series.map((p) => perSecond(p.requests)),
          props.server.series.map((p) => perSecond(p.errors)),
        ]}
        series={[
          { label: 'requests/s', colorVar: '--chart-1', unit: '' },
          { label: 'errors/s', colorVar: '--bad', unit: '' },
        ]}
      />
      <TimeChart
        title="Latency"
        x={x()}
        ys={[
          props.server.series.map((p) => p.p50Ms),
          props.server.series.map((p) => p.p95Ms),
          props.server.series.map((p) => p.p99Ms),
        ]}
        series={[
          { label: 'p50', colorVar: '--chart-1', unit: ' ms', points: true },
          { label: 'p95', colorVar: '--chart-2', unit: ' ms', points: true },
          { label: 'p99', colorVar: '--chart-3', unit: ' ms', dashed: true, points: true },
        ]}
      />
    </article>
  );
}
