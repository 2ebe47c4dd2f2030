import type { ServerState } from '@switchyard/admin-api';
import { stateTone } from '../format.js';

/** A server's state as a word on a coloured badge: the word carries it, the colour helps. */
export function StateBadge(props: { state: ServerState }) {
  return (
    <span class={`badge tone-${stateTone(props.state)}`} data-state={props.state}>
      <span class="dot" aria-hidden="true" />
      {props.state}
    </span>
  );
}
