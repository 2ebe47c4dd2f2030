/**
 * Splits a byte stream into newline-delimited frames (MCP's stdio framing) without ever buffering
 * more than `maxBytes` of one frame: an oversized frame is dropped as it streams past and reported
 * once, as soon as it passes the limit, so that a flood that never ends a line is reported too.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversize: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      this.finish(chunk.subarray(start, newline));
      start = newline + 1;
    }
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.discarding) return;
    if (this.size > this.maxBytes) {
      this.discarding = true;
      this.parts = [];
      this.onOversize(this.size);
    } else {
      this.parts.push(piece);
    }
  }

  private finish(piece: Buffer): void {
    const total = this.size + piece.length;
    const reported = this.discarding;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    this.discarding = false;
    if (reported) return;
    if (total > this.maxBytes) {
      this.onOversize(total);
      return;
    }
    let line = (parts.length === 0 ? piece : Buffer.concat([...parts, piece])).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim().length > 0) this.onLine(line);
  }
}
