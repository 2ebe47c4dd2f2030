import type { Accessor, JSX, Resource } from 'solid-js';
import { Match, Show, Switch } from 'solid-js';
import { messageOf } from '../api.js';

/** A request in flight. */
export function Loading(props: { what: string }): JSX.Element {
  return (
    <p class="state-note" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {props.what}…
    </p>
  );
}

/** A request that failed, with the proxy's words and a way to try again. */
export function ErrorNotice(props: { title: string; message: string; retry?: () => void }) {
  return (
    <div class="notice notice-error" role="alert">
      <strong>{props.title}</strong>
      <p>{props.message}</p>
      <Show when={props.retry}>
        {(retry) => (
          <button type="button" onClick={() => retry()()}>
            Try again
          </button>
        )}
      </Show>
    </div>
  );
}

/** Nothing to show, said plainly, with what would change that. */
export function Empty(props: { children: JSX.Element }): JSX.Element {
  return <p class="state-note empty">{props.children}</p>;
}

/**
 * The three states of a resource in one place: loading, failed (with a retry), and its value,
 * which stays on screen while it is fetched again.
 */
export function Async<T>(props: {
  resource: Resource<T>;
  what: string;
  retry: () => void;
  children: (value: Accessor<T>) => JSX.Element;
}): JSX.Element {
  const failure = () => (props.resource.state === 'errored' ? props.resource.error : undefined);
  const ready = () =>
    props.resource.state === 'ready' || props.resource.state === 'refreshing'
      ? { value: props.resource.latest as T }
      : undefined;
  return (
    <Switch fallback={<Loading what={props.what} />}>
      <Match when={failure()}>
        {(error) => (
          <ErrorNotice
            title={`Could not load ${props.what}`}
            message={messageOf(error())}
            retry={props.retry}
          />
        )}
      </Match>
      <Match when={ready()}>{(box) => props.children(() => box().value)}</Match>
    </Switch>
  );
}
