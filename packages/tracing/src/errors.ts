import { SwitchyardError } from '@switchyard/protocol';

/** Why a tracing call was refused: the thing it names does not exist, or the input is wrong. */
export type TracingErrorReason = 'not_found' | 'invalid';

/**
 * A refused tracing call. It is a {@link SwitchyardError} so every front maps it once: `not_found`
 * becomes the `not_found` code (HTTP 404), `invalid` becomes `invalid_params` (HTTP 400).
 */
export class TracingError extends SwitchyardError {
  constructor(
    readonly reason: TracingErrorReason,
    message: string,
    data?: unknown,
  ) {
    super(reason === 'not_found' ? 'not_found' : 'invalid_params', message, data);
    this.name = 'TracingError';
  }
}
