import type { ServerSummary, ServerWindows } from '@switchyard/admin-api';
import { createMemo, For, Show } from 'solid-js';
import { currentTime } from '../clock.js';
import { ServerActions } from '../components/server-actions.jsx';
import { Sparkline } from '../components/sparkline.jsx';
import { StateBadge } from '../components/state-badge.jsx';
import { Empty, Loading } from '../components/states.jsx';
import { duration, percent, time } from '../format.js';
import { live } from '../live.js';
import { href } from '../router.js';

const DOWN = new Set(['stopped', 'failed', 'backoff']);

/** Is everything healthy, where is the risk: the summary line, then one card per server. */
export function Overview() {
  const summary = createMemo(() => {
    const servers = live.servers;
    return {
      up: servers.filter((s) => s.state === 'running').length,
      degraded: servers.filter((s) => s.state === 'degraded').length,
      down: servers.filter((s) => DOWN.has(s.state)).length,
      changing: servers.filter((s) => s.state === 'starting' || s.state === 'stopping').length,
    };
  });
  const windows = (name: string) => live.metrics?.servers.find((s) => s.server === name);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <Show when={live.loaded} fallback={<Loading what="the proxy's state" />}>
        <ul class="summary" aria-label="Summary">
          <li class="tone-ok">
            <strong>{summary().up}</strong> up
          </li>
          <li class="tone-warn">
            <strong>{summary().degraded}</strong> degraded
          </li>
          <li class="tone-bad">
            <strong>{summary().down}</strong> down
          </li>
          <Show when={summary().changing > 0}>
            <li class="tone-warn">
              <strong>{summary().changing}</strong> starting or stopping
            </li>
          </Show>
          <li>
            <strong>{percent(live.metrics?.total['5m'].errorRate ?? 0)}</strong> errors (5 min)
          </li>
          <li>
            <strong>{live.metrics?.restartsLastHour ?? 0}</strong> restarts in the last hour
          </li>
        </ul>
        <Show
          when={live.servers.length > 0}
          fallback={
            <Empty>
              No servers are configured. Add one under <code>servers:</code> in the config file; the
              proxy picks it up without a restart.
            </Empty>
          }
        >
          <ul class="cards">
            <For each={live.servers}>
              {(server) => (
                <li>
                  <ServerCard server={server} windows={windows(server.name)} />
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}

function ServerCard(props: { server: ServerSummary; windows: ServerWindows | undefined }) {
  const stats = () => props.windows?.windows['5m'];
  const titleId = () => `card-${props.server.name.replace(/[^\w-]/g, '_')}`;
  return (
    <article class="card server-card" aria-labelledby={titleId()} data-server={props.server.name}>
      <header class="card-head">
        <h2 id={titleId()}>
          <a href={href.server(props.server.name)}>{props.server.name}</a>
        </h2>
        <StateBadge state={props.server.state} />
      </header>
      <Show when={props.server.reason && props.server.state !== 'running'}>
        <p class="reason">{props.server.reason}</p>
      </Show>
      <dl class="facts">
        <div>
          <dt>Transport</dt>
          <dd>{props.server.transport}</dd>
        </div>
        <div>
          <dt>Revision</dt>
          <dd>{props.server.revision ?? '–'}</dd>
        </div>
        <div>
          <dt>Tools · prompts · resources</dt>
          <dd>
            <Show when={props.server.counts} fallback="–">
              {(counts) =>
                `${counts().tools} · ${counts().prompts} · ${counts().resources + counts().resourceTemplates}`
              }
            </Show>
          </dd>
        </div>
        <div>
          <dt>Up for</dt>
          <dd>
            {props.server.runningSince !== null
              ? duration(currentTime() - props.server.runningSince)
              : '–'}
          </dd>
        </div>
        <div>
          <dt>Restarts</dt>
          <dd>{props.server.restarts}</dd>
        </div>
        <div>
          <dt>Requests (5 min)</dt>
          <dd>
            {stats()
              ? `${stats()?.requests ?? 0}, ${percent(stats()?.errorRate ?? 0)} errors`
              : '0'}
          </dd>
        </div>
      </dl>
      <figure class="spark">
        <Sparkline
          series={props.windows?.series ?? []}
          label={`Requests and errors of ${props.server.name} over the last 15 minutes`}
        />
        <figcaption>
          <Show
            when={props.windows?.windows['15m'].requests}
            fallback="No requests in the last 15 min"
          >
            <span class="key key-requests">requests</span>{' '}
            <span class="key key-errors">errors</span>, last 15 min
          </Show>
        </figcaption>
      </figure>
      <Show when={props.server.lastError}>
        {(error) => (
          <p class="last-error">
            <span class="label">Last error</span> <time>{time(error().at)}</time> {error().message}
          </p>
        )}
      </Show>
      <footer class="card-foot">
        <ServerActions server={props.server} />
        <a href={href.logs(props.server.name)}>Logs</a>
      </footer>
    </article>
  );
}
