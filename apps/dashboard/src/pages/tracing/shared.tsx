import {
  AdminApiError,
  type ContextUnit,
  type ResponseSummary,
  type UnitType,
} from '@switchyard/admin-api';
import type { Accessor, JSX, Resource } from 'solid-js';
import { createSignal, For, Show } from 'solid-js';
import { Async } from '../../components/states.jsx';
import { percent } from '../../format.js';
import { href } from '../../router.js';

/**
 * The admin event stream carries no tracing events, so the explorer fetches when a view opens and
 * again when this counter moves (the Refresh button, a close, a submitted rating).
 */
const [refreshes, setRefreshes] = createSignal(0);
export const refreshCount = refreshes;

/** Fetches every view of the explorer again. */
export function refreshTraces(): void {
  setRefreshes((n) => n + 1);
}

/** Whether the proxy said tracing is off: every `/api/traces` path answers 404 with these words. */
export function isTracingOff(error: unknown): boolean {
  return (
    error instanceof AdminApiError &&
    error.status === 404 &&
    error.message.includes('context tracing is off')
  );
}

/** What the explorer shows while the proxy traces nothing, and how to change that. */
export function TracingOff(): JSX.Element {
  return (
    <div class="empty tracing-off" role="status">
      <h2 class="tracing-off-title">Context tracing is off</h2>
      <p>
        This proxy records no context, so there are no sessions, responses or units to explore. Turn
        it on in the proxy's configuration and restart the proxy:
      </p>
      <pre class="text-block">{'contextTracing:\n  enabled: true'}</pre>
      <p>
        Tracing is on unless the configuration says <code>enabled: false</code>; see{' '}
        <code>docs/tracing.md</code> for the database path and the weights.
      </p>
    </div>
  );
}

/** {@link Async} for the explorer: a "tracing is off" answer becomes {@link TracingOff}. */
export function TraceAsync<T>(props: {
  resource: Resource<T>;
  what: string;
  retry: () => void;
  children: (value: Accessor<T>) => JSX.Element;
}): JSX.Element {
  return (
    <Show when={!isTracingOff(props.resource.error)} fallback={<TracingOff />}>
      <Async resource={props.resource} what={props.what} retry={props.retry}>
        {props.children}
      </Async>
    </Show>
  );
}

/** An id cut to what a person compares: `resp_8c1f2a…`. */
export function shortId(id: string, keep = 12): string {
  return id.length > keep + 1 ? `${id.slice(0, keep)}…` : id;
}

/** A score in [−1, 1] with its sign. */
export function score(value: number): string {
  const fixed = value.toFixed(2);
  return value > 0 ? `+${fixed}` : fixed === '-0.00' ? '0.00' : fixed;
}

/** The colour family of a score, once someone has rated the unit. */
export function scoreTone(unit: Pick<ContextUnit, 'score' | 'feedbackCount'>): string {
  if (unit.feedbackCount === 0) return 'tone-idle';
  if (unit.score >= 0.5) return 'tone-ok';
  if (unit.score <= -0.5) return 'tone-bad';
  return 'tone-warn';
}

/** Bytes as a person reads them. */
export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(1)} MB`;
}

/** Where a unit came from: `memory / read_graph`, `files / file:///notes.md`. */
export function unitSource(unit: Pick<ContextUnit, 'server' | 'name'>): string {
  return `${unit.server} / ${unit.name}`;
}

const TYPE_HELP: Record<UnitType, string> = {
  System: 'System: set by the operator',
  User: "User: the user's own content",
  External: 'External: a tool result or a resource',
  ModelState: 'ModelState: a prompt without user messages',
};

/** A unit's type as a small tag, explained on hover. */
export function TypeTag(props: { type: UnitType }): JSX.Element {
  return (
    <span class={`tag type-${props.type}`} title={TYPE_HELP[props.type]}>
      {props.type}
    </span>
  );
}

/** Open or closed, as a word on a badge. */
export function StatusBadge(props: { response: Pick<ResponseSummary, 'status'> }): JSX.Element {
  return (
    <span
      class={`badge ${props.response.status === 'open' ? 'tone-warn' : 'tone-idle'}`}
      data-status={props.response.status}
    >
      <span class="dot" aria-hidden="true" />
      {props.response.status}
    </span>
  );
}

export interface Bar {
  key: string;
  weight: number;
  link: string;
  label: string;
  detail?: JSX.Element;
}

/**
 * A weighted bar list: one row per item, its bar as wide as its weight, the label a link. The
 * weight is also written as a percentage, so the bar is never the only way to read it.
 */
export function Bars(props: { items: Bar[]; label: string }): JSX.Element {
  return (
    <ol class="bars" aria-label={props.label}>
      <For each={props.items}>
        {(item) => (
          <li data-weight={item.weight}>
            <div class="bar-head">
              <a class="bar-label wrap" href={item.link}>
                {item.label}
              </a>
              <span class="bar-weight">{percent(item.weight)}</span>
            </div>
            <div class="bar-track" aria-hidden="true">
              <div class="bar" style={{ width: `${Math.min(100, item.weight * 100)}%` }} />
            </div>
            <Show when={item.detail}>
              <div class="bar-detail">{item.detail}</div>
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}

/** A list of units, each a link with its score: the quality lists, an answer's units. */
export function UnitList(props: { units: ContextUnit[]; label: string }): JSX.Element {
  return (
    <ul class="items" aria-label={props.label}>
      <For each={props.units}>
        {(unit) => (
          <li class="unit-row">
            <a class="wrap" href={href.traceUnit(unit.id)}>
              {unitSource(unit)}
            </a>{' '}
            <span class="muted">v{unit.version}</span> <TypeTag type={unit.type} />{' '}
            <span class={`badge ${scoreTone(unit)}`}>
              score {score(unit.score)} ({unit.feedbackCount} rating
              {unit.feedbackCount === 1 ? '' : 's'})
            </span>
            <p class="muted wrap summary-line">{unit.summary}</p>
          </li>
        )}
      </For>
    </ul>
  );
}
