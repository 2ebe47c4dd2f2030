import type DailyRotateFile from 'winston-daily-rotate-file';

/** One winston-daily-rotate-file transport, and a count of the file streams it has opened and closed. */
export class RotatingFile {
  readonly closed: Promise<void>;
  private opened = 1;
  private finished = 0;
  private ending = false;
  private resolveClosed: () => void = () => {};

  constructor(
    private readonly transport: DailyRotateFile,
    events: { onNewFile(path: string): void; onError(error: unknown): void },
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const stream = transport.logStream;
    // The library re-emits its file streams' errors on `logStream` and nowhere else: without this
    // listener a full disk would be an uncaught exception.
    stream.on('error', events.onError);
    stream.on('rotate', () => {
      this.opened++;
    });
    stream.on('close', () => {
      this.finished++;
      this.settle();
    });
    transport.on('new', events.onNewFile);
  }

  write(line: string): void {
    this.transport.logStream.write(`${line}\n`);
  }

  /** Ends the current file; resolves once every file this transport opened is closed. */
  end(): Promise<void> {
    if (!this.ending) {
      this.ending = true;
      this.transport.close?.();
      this.settle();
    }
    return this.closed;
  }

  private settle(): void {
    if (this.ending && this.finished >= this.opened) this.resolveClosed();
  }
}
