import type { ServerAction, ServerSummary } from '@switchyard/admin-api';
import { createSignal, Show } from 'solid-js';
import { api, isUnauthorized, messageOf } from '../api.js';
import { markUnauthorized, upsertServer } from '../live.js';

/**
 * Start, stop and restart of one server. Stop asks first, in place: the buttons turn into
 * "Stop <name>?" with a confirm and a cancel, so no modal steals focus.
 */
export function ServerActions(props: { server: ServerSummary }) {
  const [busy, setBusy] = createSignal<ServerAction | null>(null);
  const [confirming, setConfirming] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let stopButton: HTMLButtonElement | undefined;

  const run = async (action: ServerAction) => {
    setConfirming(false);
    setBusy(action);
    setError(null);
    try {
      const result = await api.act(props.server.name, action);
      if (result.server) upsertServer(result.server);
    } catch (caught) {
      if (isUnauthorized(caught)) markUnauthorized(messageOf(caught));
      else setError(`Could not ${action} ${props.server.name}: ${messageOf(caught)}`);
    } finally {
      setBusy(null);
    }
  };

  const up = () => props.server.state !== 'stopped' && props.server.state !== 'failed';

  return (
    <div class="actions">
      <Show
        when={!confirming()}
        fallback={
          <fieldset class="confirm">
            <legend>Stop {props.server.name}? Its clients lose its tools.</legend>
            <button
              type="button"
              class="danger"
              onClick={() => run('stop')}
              ref={(el) => queueMicrotask(() => el.focus())}
            >
              Yes, stop
            </button>
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                stopButton?.focus();
              }}
            >
              Cancel
            </button>
          </fieldset>
        }
      >
        <button
          type="button"
          disabled={busy() !== null || up()}
          onClick={() => run('start')}
          aria-label={`Start ${props.server.name}`}
        >
          {busy() === 'start' ? 'Starting…' : 'Start'}
        </button>
        <button
          type="button"
          ref={stopButton}
          disabled={busy() !== null || !up()}
          onClick={() => setConfirming(true)}
          aria-label={`Stop ${props.server.name}`}
        >
          {busy() === 'stop' ? 'Stopping…' : 'Stop'}
        </button>
        <button
          type="button"
          disabled={busy() !== null}
          onClick={() => run('restart')}
          aria-label={`Restart ${props.server.name}`}
        >
          {busy() === 'restart' ? 'Restarting…' : 'Restart'}
        </button>
      </Show>
      <Show when={error()}>
        <p class="inline-error" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
