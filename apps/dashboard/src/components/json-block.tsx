import { json } from '../format.js';

/** JSON that wraps inside its own box, so a long line never widens the page. */
export function JsonBlock(props: { value: unknown; label: string }) {
  return (
    <pre class="code" data-label={props.label}>
      {json(props.value)}
    </pre>
  );
}
