/**
 * What went wrong on disk or in a subscriber, as reported to `onError`: a file could not be opened
 * or written, `server.log` could not be linked, old files could not be deleted, a subscriber threw,
 * or a back-fill could not be read.
 */
export type ServerLogsErrorCode =
  | 'WRITE_FAILED'
  | 'LINK_FAILED'
  | 'CLEANUP_FAILED'
  | 'LISTENER_FAILED'
  | 'BACKFILL_FAILED';

/**
 * A problem of per-server logs, with a string code and the server it concerns. It is reported to
 * `onError`, never thrown, and never answered to anyone: it says what happened to a file, which
 * the wire errors of `@switchyard/protocol` have no words for. The one thrown error, an invalid
 * server name, is a `SwitchyardError` (`invalid_params`), since the name comes from a caller.
 */
export class ServerLogsError extends Error {
  constructor(
    readonly code: ServerLogsErrorCode,
    readonly server: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServerLogsError';
  }
}
