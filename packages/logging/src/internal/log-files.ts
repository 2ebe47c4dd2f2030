import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine, LogStream, LogStreamFilter } from '../log-line.js';

/** The stable name of a server's current log; a symbolic link to the file being written. */
export const CURRENT_LOG = 'server.log';

/**
 * Base name and extension handed to winston-daily-rotate-file: it writes
 * `server-YYYY-MM-DD.log`, then `server-YYYY-MM-DD.1.log`, `.2.log`, ... as the size limit is hit.
 */
export const LOG_FILE_BASE = 'server-%DATE%';
export const LOG_FILE_EXTENSION = '.log';

const LOG_FILE = /^server-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/;
const TAGS: Record<LogStream, string> = { stdout: 'STDOUT', stderr: 'STDERR', proxy: 'PROXY' };
const LINE = /^\[([^\]]+)\] \[(STDOUT|STDERR|PROXY)\] (.*)$/;
const STREAMS: Record<string, LogStream> = { STDOUT: 'stdout', STDERR: 'stderr', PROXY: 'proxy' };

/** Renders a line as stored on disk: `[<ISO timestamp>] [STDOUT|STDERR|PROXY] <text>`. */
export function formatLine(line: LogLine): string {
  return `[${line.timestamp}] [${TAGS[line.stream]}] ${line.text}`;
}

/** Parses a stored line; `undefined` for anything that is not in {@link formatLine}'s shape. */
export function parseLine(raw: string): LogLine | undefined {
  const match = LINE.exec(raw);
  const stream = match?.[2] === undefined ? undefined : STREAMS[match[2]];
  if (match?.[1] === undefined || match[3] === undefined || stream === undefined) return undefined;
  return { timestamp: match[1], stream, text: match[3] };
}

/** `YYYY-MM-DD` (UTC) of a time, as the rotated file names use it. */
export function fileDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One log file as it was when listed. */
export interface LogFile {
  path: string;
  size: number;
  mtimeMs: number;
}

function order(name: string): [string, number] {
  const match = LOG_FILE.exec(name);
  return [match?.[1] ?? '', Number(match?.[2] ?? 0)];
}

/**
 * The log files of one server directory, newest first: by the date and count in their names, then
 * by modification time. Names, not times, decide: right after a rotation the previous file's last
 * buffered writes can land after the new file's first ones. `server.log` itself is left out (it only
 * points at one of them). A missing directory has no files.
 */
export async function listLogFiles(dir: string): Promise<LogFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const files: (LogFile & { name: string })[] = [];
  for (const name of names.filter((n) => LOG_FILE.test(n))) {
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (info.isFile()) files.push({ name, path, size: info.size, mtimeMs: info.mtimeMs });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  files.sort((a, b) => {
    const [dateA, countA] = order(a.name);
    const [dateB, countB] = order(b.name);
    if (dateA !== dateB) return dateB.localeCompare(dateA);
    return countA === countB ? b.mtimeMs - a.mtimeMs : countB - countA;
  });
  return files.map(({ path, size, mtimeMs }) => ({ path, size, mtimeMs }));
}

/**
 * Yields the lines of the first `end` bytes of a file, last line first, reading `chunkSize` bytes
 * at a time from the end: a tail never holds more than one chunk plus one line in memory.
 * Empty lines are skipped.
 */
export async function* readLinesBackwards(
  path: string,
  end: number,
  chunkSize = 64 * 1024,
): AsyncGenerator<string> {
  const handle = await open(path, 'r');
  try {
    let position = end;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(chunkSize, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      let buffer = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
      let newline = buffer.lastIndexOf(0x0a);
      while (newline !== -1) {
        const line = buffer.subarray(newline + 1);
        if (line.length > 0) yield line.toString('utf8');
        buffer = buffer.subarray(0, newline);
        newline = buffer.lastIndexOf(0x0a);
      }
      carry = buffer;
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Adds matching lines of one file, newest first, to `found`; true once it holds `count`. */
export async function readInto(
  found: LogLine[],
  file: LogFile,
  count: number,
  type: LogStreamFilter | undefined,
): Promise<boolean> {
  try {
    for await (const raw of readLinesBackwards(file.path, file.size)) {
      const line = parseLine(raw);
      if (line === undefined || (type !== undefined && line.stream !== type)) continue;
      found.push(line);
      if (found.length >= count) return true;
    }
  } catch (error) {
    // Age enforcement may delete a file between listing and reading it.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return false;
}
