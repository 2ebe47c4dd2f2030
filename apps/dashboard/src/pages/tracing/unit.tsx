import type { UnitDetail } from '@switchyard/admin-api';
import { createResource, For, type JSX, Show } from 'solid-js';
import { api, guarded } from '../../api.js';
import { Empty } from '../../components/states.jsx';
import { dateTime, time } from '../../format.js';
import { href } from '../../router.js';
import {
  Bars,
  bytes,
  refreshCount,
  score,
  scoreTone,
  shortId,
  TraceAsync,
  TypeTag,
  unitSource,
} from './shared.jsx';

/** One context unit: where it came from, every version of its source, and where it was used. */
export function TracingUnit(props: { id: string }): JSX.Element {
  const [data, { refetch }] = createResource(
    () => ({ id: props.id, n: refreshCount() }),
    ({ id }) => guarded(api.traces.unit(id)),
  );
  return (
    <TraceAsync resource={data} what={`context unit ${props.id}`} retry={refetch}>
      {(unit) => (
        <>
          <header class="page-head">
            <h2 class="wrap" id="trace-view-title">
              {unitSource(unit())}
            </h2>
            <TypeTag type={unit().type} />
            <span class="tag">v{unit().version}</span>
          </header>
          <UnitFacts unit={unit()} />
          <h3>Content</h3>
          <p class="text-block">{unit().summary || '(empty)'}</p>
          <h3>Versions ({unit().versions.length})</h3>
          <Versions unit={unit()} />
          <h3>Impact ({unit().impact.length})</h3>
          <Show
            when={unit().impact.length > 0}
            fallback={<Empty>This unit has not gone into any response.</Empty>}
          >
            <p class="muted">
              The responses this unit went into, newest first, by its weight in each.
            </p>
            <Bars
              label="Responses this unit went into"
              items={unit().impact.map((entry) => ({
                key: entry.responseId,
                weight: entry.weight,
                link: href.traceResponse(entry.responseId),
                label: `Response ${shortId(entry.responseId, 16)}`,
                detail: (
                  <span class="muted">
                    session {shortId(entry.sessionId)},{' '}
                    {entry.closedAt === null ? 'still open' : `closed ${time(entry.closedAt)}`}
                  </span>
                ),
              }))}
            />
          </Show>
        </>
      )}
    </TraceAsync>
  );
}

function UnitFacts(props: { unit: UnitDetail }): JSX.Element {
  const u = () => props.unit;
  const facts = (): Array<[string, JSX.Element]> => [
    ['Server', u().server],
    ['Kind', u().kind],
    ['Name', <span class="wrap">{u().name}</span>],
    ['Type', u().type],
    ['Arguments hash', <code title={u().argumentsHash}>{shortId(u().argumentsHash)}</code>],
    ['Content hash', <code title={u().contentHash}>{shortId(u().contentHash)}</code>],
    ['Tokens', u().tokens],
    ['Size', bytes(u().sizeBytes)],
    ['First seen', dateTime(u().firstSeen)],
    ['Last seen', dateTime(u().lastSeen)],
    ['Seen', `${u().seenCount} time${u().seenCount === 1 ? '' : 's'}`],
    [
      'Score',
      <span class={`badge ${scoreTone(u())}`} data-score={u().score}>
        {score(u().score)}
      </span>,
    ],
    ['Ratings', u().feedbackCount],
  ];
  return (
    <dl class="facts wide unit-facts">
      <For each={facts()}>
        {([term, value]) => (
          <div>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        )}
      </For>
    </dl>
  );
}

function Versions(props: { unit: UnitDetail }): JSX.Element {
  return (
    <ol class="items versions" aria-label="Versions of this source">
      <For each={props.unit.versions}>
        {(version) => (
          <li
            class={version.id === props.unit.id ? 'current' : undefined}
            data-version={version.version}
          >
            <Show
              when={version.id !== props.unit.id}
              fallback={
                <strong aria-current="true">
                  v{version.version} <span class="tag">this one</span>
                </strong>
              }
            >
              <a href={href.traceUnit(version.id)}>v{version.version}</a>
            </Show>{' '}
            <span class="muted">
              first seen {dateTime(version.firstSeen)}, {version.tokens} tokens, score{' '}
              {score(version.score)}
            </span>
            <p class="muted wrap summary-line">{version.summary}</p>
          </li>
        )}
      </For>
    </ol>
  );
}
