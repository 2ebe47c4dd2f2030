import type { TimelineEntry } from '@switchyard/admin-api';
import { createResource, For, type JSX, Show } from 'solid-js';
import { api, guarded } from '../../api.js';
import { Empty } from '../../components/states.jsx';
import { dateTime, time } from '../../format.js';
import { href } from '../../router.js';
import { CloseResponseButton, ResponseTable } from './responses.jsx';
import { refreshCount, shortId, TraceAsync } from './shared.jsx';

/** Consecutive captures of one response, in the order they happened. */
export function groupByResponse(
  entries: TimelineEntry[],
): Array<{ responseId: string; entries: TimelineEntry[] }> {
  const groups: Array<{ responseId: string; entries: TimelineEntry[] }> = [];
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const last = groups[groups.length - 1];
    if (last && last.responseId === entry.responseId) last.entries.push(entry);
    else groups.push({ responseId: entry.responseId, entries: [entry] });
  }
  return groups;
}

/** One client session: its responses and, in order, every capture it made. */
export function TracingSession(props: { id: string }): JSX.Element {
  const [data, { refetch }] = createResource(
    () => ({ id: props.id, n: refreshCount() }),
    ({ id }) =>
      guarded(Promise.all([api.traces.responses({ sessionId: id }), api.traces.timeline(id)])).then(
        ([responses, timeline]) => ({ responses, timeline }),
      ),
  );
  return (
    <>
      <header class="page-head">
        <h2 class="wrap" id="trace-view-title">
          Session <code>{props.id}</code>
        </h2>
      </header>
      <TraceAsync resource={data} what={`session ${props.id}`} retry={refetch}>
        {(value) => (
          <>
            <Show when={value().responses.some((r) => r.status === 'open')}>
              <div class="toolbar">
                <CloseResponseButton sessionId={props.id} label="Close the open response" />
              </div>
            </Show>
            <h3>Responses ({value().responses.length})</h3>
            <ResponseTable
              responses={value().responses}
              label={`Responses of session ${props.id}`}
              empty="This session has no response."
            />
            <h3>Timeline ({value().timeline.length} captures)</h3>
            <Show
              when={value().timeline.length > 0}
              fallback={<Empty>No capture recorded for this session.</Empty>}
            >
              <Timeline entries={value().timeline} />
            </Show>
          </>
        )}
      </TraceAsync>
    </>
  );
}

function Timeline(props: { entries: TimelineEntry[] }): JSX.Element {
  return (
    <ol class="trace-timeline" aria-label="Captures in order">
      <For each={groupByResponse(props.entries)}>
        {(group) => (
          <li class="trace-group">
            <p class="trace-group-head">
              Response{' '}
              <a href={href.traceResponse(group.responseId)}>
                <code>{shortId(group.responseId, 16)}</code>
              </a>{' '}
              <span class="muted">
                {group.entries.length} capture{group.entries.length === 1 ? '' : 's'}
              </span>
            </p>
            <ol class="captures">
              <For each={group.entries}>
                {(entry) => (
                  <li class="capture" data-seq={entry.seq}>
                    <time title={dateTime(entry.at)}>{time(entry.at)}</time>
                    <span class="capture-what wrap">
                      <span class="tag">{entry.kind}</span>{' '}
                      <strong>
                        {entry.server} / {entry.name}
                      </strong>
                    </span>
                    <span class="capture-ids muted">
                      request{' '}
                      <code>{entry.requestId === null ? '–' : String(entry.requestId)}</code>
                      {' · '}unit{' '}
                      <a href={href.traceUnit(entry.unitId)}>
                        <code>{shortId(entry.unitId)}</code>
                      </a>
                    </span>
                  </li>
                )}
              </For>
            </ol>
          </li>
        )}
      </For>
    </ol>
  );
}
