import { createSignal, Show } from 'solid-js';
import { api, apiKey, isUnauthorized, messageOf, setApiKey } from '../api.js';

/**
 * Asks for the admin key (`dashboard.apiKey`) and checks it with the proxy before keeping it for
 * the tab. `rejected` is the proxy's answer to the key the tab held, when there was one.
 */
export function KeyPrompt(props: { rejected: string | null; onAccepted: () => void }) {
  const [value, setValue] = createSignal('');
  const [checking, setChecking] = createSignal(false);
  const [error, setError] = createSignal<string | null>(
    apiKey() !== undefined && props.rejected ? wrongKey(props.rejected) : null,
  );

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const key = value().trim();
    if (!key) {
      setError('Enter the key: it is the dashboard.apiKey of the proxy’s config file.');
      return;
    }
    setChecking(true);
    setError(null);
    setApiKey(key);
    try {
      await api.servers();
      props.onAccepted();
    } catch (caught) {
      setApiKey(undefined);
      setError(isUnauthorized(caught) ? wrongKey(messageOf(caught)) : messageOf(caught));
    } finally {
      setChecking(false);
    }
  };

  return (
    <main id="main" class="key-prompt" tabindex="-1">
      <h1>Switchyard</h1>
      <form class="card" onSubmit={submit} aria-describedby="key-help">
        <h2>This proxy needs its admin key</h2>
        <p id="key-help">
          Enter the key set as <code>dashboard.apiKey</code> in the proxy’s config. It is kept for
          this tab only, until you close it.
        </p>
        <label for="api-key">Admin key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="current-password"
          value={value()}
          onInput={(event) => setValue(event.currentTarget.value)}
          aria-invalid={error() ? 'true' : undefined}
          aria-describedby={error() ? 'key-error' : undefined}
          ref={(el) => queueMicrotask(() => el.focus())}
        />
        <Show when={error()}>
          <p id="key-error" class="inline-error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={checking()}>
          {checking() ? 'Checking…' : 'Open the dashboard'}
        </button>
      </form>
    </main>
  );
}

function wrongKey(detail: string): string {
  return `The proxy refused this key: it is not the dashboard.apiKey of its config. (${detail})`;
}
