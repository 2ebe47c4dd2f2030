import type { TracingStats } from '@switchyard/admin-api';
import { createResource, type JSX, Match, Show, Switch } from 'solid-js';
import { api, guarded } from '../api.js';
import { dateTime, percent } from '../format.js';
import { href, type TracingView } from '../router.js';
import { TracingHome } from './tracing/home.jsx';
import { TracingResponse } from './tracing/response.jsx';
import { TracingSession } from './tracing/session.jsx';
import { isTracingOff, refreshCount, refreshTraces, shortId } from './tracing/shared.jsx';
import { TracingUnit } from './tracing/unit.jsx';

/**
 * The tracing explorer (docs/tracing.md): which backend content went into which answer. Every
 * view is fetched when it opens and on Refresh; the admin event stream has no tracing events.
 */
export default function TracingPage(props: { view: TracingView; id: string | null }) {
  const [stats] = createResource(
    () => ({ view: props.view, id: props.id, n: refreshCount() }),
    () => guarded(api.traces.stats()),
  );
  return (
    <section aria-labelledby="tracing-title">
      <Show when={props.view !== 'home'}>
        <p class="crumbs">
          <a href={href.tracing()}>Tracing</a> / <span>{props.view}</span>{' '}
          <code>{shortId(props.id ?? '', 18)}</code>
        </p>
      </Show>
      <header class="page-head tracing-head">
        <h1 id="tracing-title">Tracing</h1>
        <button type="button" onClick={refreshTraces}>
          Refresh
        </button>
      </header>
      <Show
        when={stats.state === 'ready' || stats.state === 'refreshing' ? stats.latest : undefined}
      >
        {(value) => <WriterStats stats={value()} />}
      </Show>
      <Show when={stats.state === 'errored' && !isTracingOff(stats.error)}>
        <p class="inline-error">The writer's counters could not be read.</p>
      </Show>
      <Switch>
        <Match when={props.view === 'home'}>
          <TracingHome />
        </Match>
        <Match when={props.view === 'session' && props.id}>
          {(id) => <TracingSession id={id()} />}
        </Match>
        <Match when={props.view === 'response' && props.id}>
          {(id) => <TracingResponse id={id()} />}
        </Match>
        <Match when={props.view === 'unit' && props.id}>{(id) => <TracingUnit id={id()} />}</Match>
      </Switch>
    </section>
  );
}

/**
 * The trace writer and its read cache. Dropped writes are traces lost for good (the queue was
 * full or the database refused them), so they stand out with the last error.
 */
function WriterStats(props: { stats: TracingStats }): JSX.Element {
  const s = () => props.stats;
  const lookups = () => s().cache.hits + s().cache.misses;
  return (
    <>
      <ul class="summary trace-stats" aria-label="Trace writer">
        <li>
          <strong>{s().queued}</strong> queued
        </li>
        <li>
          <strong>{s().flushed}</strong> flushed
        </li>
        <li class={s().dropped > 0 ? 'tone-bad' : undefined} data-dropped={s().dropped}>
          <strong>{s().dropped}</strong> dropped
        </li>
        <li>
          <strong>{s().openResponses}</strong> open responses
        </li>
        <li>
          <strong>{s().knownUnits}</strong> units
        </li>
        <li
          title={`${s().cache.size} of ${s().cache.capacity} entries, ${s().cache.evictions} evicted`}
        >
          cache <strong>{s().cache.hits}</strong> hits / <strong>{s().cache.misses}</strong> misses
          {lookups() > 0 ? ` (${percent(s().cache.hits / lookups())})` : ''}
        </li>
      </ul>
      <Show when={s().dropped > 0}>
        <div class="notice notice-error" role="alert">
          <strong>
            {s().dropped} trace write{s().dropped === 1 ? ' was' : 's were'} dropped
          </strong>
          <p>
            Those captures are missing from the traces below.
            <Show when={s().lastError}>
              {(error) => (
                <>
                  {' '}
                  Last error, {dateTime(error().at)}: <span class="wrap">{error().message}</span>
                </>
              )}
            </Show>
          </p>
        </div>
      </Show>
      <Show when={s().dropped === 0 && s().lastError}>
        {(error) => (
          <p class="muted">
            Last writer error, {dateTime(error().at)}: <span class="wrap">{error().message}</span>
          </p>
        )}
      </Show>
    </>
  );
}
