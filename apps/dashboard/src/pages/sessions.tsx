import { createMemo, For, Show } from 'solid-js';
import { currentTime } from '../clock.js';
import { Empty, Loading } from '../components/states.jsx';
import { dateTime, duration } from '../format.js';
import { live } from '../live.js';

/** The client sessions open right now, newest first; they come and go live. */
export default function SessionsPage() {
  const sessions = createMemo(() => [...live.sessions].sort((a, b) => b.openedAt - a.openedAt));
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <Show when={live.loaded} fallback={<Loading what="the sessions" />}>
        <Show
          when={sessions().length > 0}
          fallback={
            <Empty>
              No client is connected. Sessions appear here when an MCP client connects to{' '}
              <code>/mcp</code>, <code>/sse</code> or <code>/ws</code>.
            </Empty>
          }
        >
          <p>
            {sessions().length} open session{sessions().length === 1 ? '' : 's'}.
          </p>
          <section class="table-box" tabindex="0" aria-label="Open sessions">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Transport</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Key</th>
                  <th scope="col">Age</th>
                  <th scope="col">In flight</th>
                  <th scope="col">Session id</th>
                </tr>
              </thead>
              <tbody>
                <For each={sessions()}>
                  {(session) => (
                    <tr>
                      <td data-label="Client">
                        <span>
                          {session.clientName ?? 'unnamed'}
                          <Show when={session.clientVersion}>
                            {' '}
                            <span class="muted">{session.clientVersion}</span>
                          </Show>
                        </span>
                      </td>
                      <td data-label="Endpoint">{session.endpoint}</td>
                      <td data-label="Transport">{session.transport}</td>
                      <td data-label="Revision">{session.revision ?? '–'}</td>
                      <td data-label="Key">{session.principal ?? '–'}</td>
                      <td data-label="Age" title={`opened ${dateTime(session.openedAt)}`}>
                        {duration(Math.max(session.ageMs, currentTime() - session.openedAt))}
                      </td>
                      <td data-label="In flight">{session.inFlight}</td>
                      <td data-label="Session id">
                        <code class="wrap">{session.id}</code>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>
        </Show>
      </Show>
    </section>
  );
}
