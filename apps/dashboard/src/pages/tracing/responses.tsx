import type { ResponseSummary } from '@switchyard/admin-api';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { api, guarded, messageOf } from '../../api.js';
import { Empty } from '../../components/states.jsx';
import { dateTime, time } from '../../format.js';
import { href } from '../../router.js';
import { refreshTraces, StatusBadge, shortId } from './shared.jsx';

/**
 * Closes the open response of a session, so the next capture starts a new one; the explorer is
 * fetched again either way, with what went wrong said in place.
 */
export function CloseResponseButton(props: { sessionId: string; label?: string }): JSX.Element {
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const close = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await guarded(api.traces.closeResponse(props.sessionId));
      refreshTraces();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="small" disabled={busy()} onClick={close}>
        {busy() ? 'Closing…' : (props.label ?? 'Close response')}
      </button>
      <Show when={problem()}>
        <span class="inline-error" role="alert">
          {problem()}
        </span>
      </Show>
    </>
  );
}

/** Responses, newest first: status, why they closed, how many units, when. */
export function ResponseTable(props: {
  responses: ResponseSummary[];
  label: string;
  showSession?: boolean;
  empty: JSX.Element;
}): JSX.Element {
  return (
    <Show when={props.responses.length > 0} fallback={<Empty>{props.empty}</Empty>}>
      <section class="table-box" tabindex="0" aria-label={props.label}>
        <table class="stack responses">
          <thead>
            <tr>
              <th scope="col">Response</th>
              <Show when={props.showSession}>
                <th scope="col">Session</th>
              </Show>
              <th scope="col">Status</th>
              <th scope="col">Closed by</th>
              <th scope="col">Units</th>
              <th scope="col">Opened</th>
              <th scope="col">Closed</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.responses}>
              {(response) => (
                <tr data-response={response.id}>
                  <td data-label="Response">
                    <a href={href.traceResponse(response.id)}>
                      <code>{shortId(response.id, 16)}</code>
                    </a>
                  </td>
                  <Show when={props.showSession}>
                    <td data-label="Session">
                      <a href={href.traceSession(response.sessionId)}>
                        <code>{shortId(response.sessionId)}</code>
                      </a>
                    </td>
                  </Show>
                  <td data-label="Status">
                    <StatusBadge response={response} />
                  </td>
                  <td data-label="Closed by">{response.closeReason ?? '–'}</td>
                  <td data-label="Units">{response.unitCount}</td>
                  <td data-label="Opened" title={dateTime(response.openedAt)}>
                    {time(response.openedAt)}
                  </td>
                  <td
                    data-label="Closed"
                    title={response.closedAt === null ? undefined : dateTime(response.closedAt)}
                  >
                    {response.closedAt === null ? '–' : time(response.closedAt)}
                  </td>
                  <td data-label="Actions">
                    <Show when={response.status === 'open'}>
                      <CloseResponseButton sessionId={response.sessionId} />
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </section>
    </Show>
  );
}
