import { createResource, For, type JSX, Show } from 'solid-js';
import { api, guarded } from '../../api.js';
import { Empty } from '../../components/states.jsx';
import { dateTime, time } from '../../format.js';
import { href } from '../../router.js';
import { ResponseTable } from './responses.jsx';
import { refreshCount, shortId, TraceAsync, UnitList } from './shared.jsx';

const RECENT = 25;

/** The explorer's start: the sessions that were traced, the latest responses, the rated units. */
export function TracingHome(): JSX.Element {
  const [data, { refetch }] = createResource(refreshCount, () =>
    guarded(
      Promise.all([
        api.traces.sessions(),
        api.traces.responses({ limit: RECENT }),
        api.traces.quality(10),
      ]),
    ).then(([sessions, responses, quality]) => ({ sessions, responses, quality })),
  );
  return (
    <TraceAsync resource={data} what="the traces" retry={refetch}>
      {(value) => (
        <>
          <h2>Sessions</h2>
          <Show
            when={value().sessions.length > 0}
            fallback={
              <Empty>
                No session has been traced yet. Call a tool, read a resource or get a prompt through
                the proxy, and the session appears here.
              </Empty>
            }
          >
            <section class="table-box" tabindex="0" aria-label="Traced sessions">
              <table class="stack sessions">
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Key</th>
                    <th scope="col">First capture</th>
                    <th scope="col">Last capture</th>
                    <th scope="col">Captures</th>
                    <th scope="col">Responses</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={value().sessions}>
                    {(session) => (
                      <tr data-session={session.sessionId}>
                        <td data-label="Session">
                          <a href={href.traceSession(session.sessionId)}>
                            <code>{shortId(session.sessionId, 18)}</code>
                          </a>
                        </td>
                        <td data-label="Key">{session.principal ?? '–'}</td>
                        <td data-label="First capture" title={dateTime(session.firstAt)}>
                          {time(session.firstAt)}
                        </td>
                        <td data-label="Last capture" title={dateTime(session.lastAt)}>
                          {time(session.lastAt)}
                        </td>
                        <td data-label="Captures">{session.captures}</td>
                        <td data-label="Responses">{session.responses}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </section>
          </Show>

          <h2>Latest responses</h2>
          <ResponseTable
            responses={value().responses}
            label="Latest responses"
            showSession
            empty="No response yet: the first capture of a session opens one."
          />

          <div class="columns">
            <div>
              <h2>Top contexts</h2>
              <Show
                when={value().quality.top.length > 0}
                fallback={<Empty>No unit is rated +0.5 or better yet.</Empty>}
              >
                <UnitList units={value().quality.top} label="Top contexts" />
              </Show>
            </div>
            <div>
              <h2>Deprecated contexts</h2>
              <Show
                when={value().quality.deprecated.length > 0}
                fallback={<Empty>No unit is rated −0.5 or worse.</Empty>}
              >
                <UnitList units={value().quality.deprecated} label="Deprecated contexts" />
              </Show>
            </div>
          </div>
        </>
      )}
    </TraceAsync>
  );
}
