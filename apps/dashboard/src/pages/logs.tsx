import { AdminApiError, type LogLine, type Subscription } from '@switchyard/admin-api';
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { api, isUnauthorized, messageOf } from '../api.js';
import { Empty, ErrorNotice, Loading } from '../components/states.jsx';
import { time } from '../format.js';
import { live, markUnauthorized } from '../live.js';
import { href, navigate } from '../router.js';

const BACKFILL = 200;
const KEEP = 2_000;
const ERROR_WORDS = /error|fail|exception/i;

interface ShownLine extends LogLine {
  seq: number;
  error: boolean;
}

type Streams = 'all' | LogLine['stream'];

/** Whether a line deserves attention: anything on stderr, or words of failure. */
export function isErrorLine(line: LogLine): boolean {
  return line.stream === 'stderr' || ERROR_WORDS.test(line.text);
}

/**
 * A server's log as it is written: the last lines first, then each new one. Pause freezes the view
 * (lines still arrive and show on resume); filters narrow it by stream and text.
 */
export default function LogsPage(props: { name: string | null }) {
  const name = () => props.name ?? live.servers[0]?.name ?? null;
  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      <Show when={live.loaded} fallback={<Loading what="the servers" />}>
        <Show
          when={name()}
          fallback={<Empty>No servers are configured, so there are no logs to show.</Empty>}
        >
          {(server) => <LogView name={server()} />}
        </Show>
      </Show>
    </section>
  );
}

type LogStatus = 'following' | 'broken' | 'unavailable';

/**
 * Follows a server's log while the calling component lives: backfills the last lines, keeps at most
 * KEEP, and reconnects with backoff when the stream breaks (but not on a 4xx, which stays so).
 */
function followLog(name: () => string, onSwitch: () => void) {
  const [lines, setLines] = createSignal<ShownLine[]>([]);
  const [status, setStatus] = createSignal<LogStatus>('following');
  const [problem, setProblem] = createSignal<string | null>(null);
  let seq = 0;

  createEffect(
    on(name, (name) => {
      setLines([]);
      onSwitch();
      let pending: ShownLine[] = [];
      let flushing = false;
      let subscription: Subscription | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let retryMs = 1_000;
      let closed = false;
      const flush = () => {
        flushing = false;
        const batch = pending;
        pending = [];
        setLines((old) => {
          const next = old.concat(batch);
          return next.length > KEEP ? next.slice(next.length - KEEP) : next;
        });
      };
      const open = (backfill: number) => {
        let failure: Error | undefined;
        subscription = api.followLogs(
          name,
          (line) => {
            if (status() !== 'following') setStatus('following');
            retryMs = 1_000;
            pending.push({ ...line, seq: ++seq, error: isErrorLine(line) });
            if (!flushing) {
              flushing = true;
              requestAnimationFrame(flush);
            }
          },
          {
            backfill,
            onError: (error) => {
              failure = error;
            },
          },
        );
        void subscription.done.then(() => {
          if (closed) return;
          if (failure && isUnauthorized(failure)) {
            markUnauthorized(messageOf(failure));
            return;
          }
          // A 4xx (no such server, log files off) stays so: say it instead of retrying.
          if (failure instanceof AdminApiError && failure.status < 500) {
            setStatus('unavailable');
            setProblem(failure.message);
            return;
          }
          setStatus('broken');
          setProblem(failure ? messageOf(failure) : 'the log stream ended');
          retry = setTimeout(() => open(0), retryMs);
          retryMs = Math.min(retryMs * 2, 30_000);
        });
      };
      open(BACKFILL);
      onCleanup(() => {
        closed = true;
        clearTimeout(retry);
        subscription?.close();
      });
    }),
  );

  return { lines, status, problem, lastSeq: () => seq };
}

function LogView(props: { name: string }) {
  const [pausedAt, setPausedAt] = createSignal<number | null>(null);
  const [streams, setStreams] = createSignal<Streams>('all');
  const [text, setText] = createSignal('');
  const { lines, status, problem, lastSeq } = followLog(
    () => props.name,
    () => setPausedAt(null),
  );
  let box: HTMLDivElement | undefined;

  const shown = createMemo(() => {
    const limit = pausedAt();
    const wanted = streams();
    const needle = text().trim().toLowerCase();
    return lines().filter(
      (line) =>
        (limit === null || line.seq <= limit) &&
        (wanted === 'all' || line.stream === wanted) &&
        (needle === '' || line.text.toLowerCase().includes(needle)),
    );
  });
  const waiting = () => {
    const limit = pausedAt();
    return limit === null ? 0 : lines().filter((line) => line.seq > limit).length;
  };

  // Following keeps the newest line in view.
  createEffect(
    on(shown, () => {
      if (pausedAt() === null && box) box.scrollTop = box.scrollHeight;
    }),
  );

  const download = () => {
    const body = shown()
      .map((line) => `[${line.timestamp}] [${line.stream.toUpperCase()}] ${line.text}`)
      .join('\n');
    const url = URL.createObjectURL(new Blob([`${body}\n`], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${props.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  return (
    <>
      <LogFilters
        name={props.name}
        streams={streams()}
        onStreams={setStreams}
        text={text()}
        onText={setText}
        paused={pausedAt() !== null}
        waiting={waiting()}
        onPause={() => setPausedAt((at) => (at === null ? lastSeq() : null))}
        onDownload={download}
        canDownload={shown().length > 0}
      />
      <Show when={status() === 'unavailable'}>
        <ErrorNotice title={`No log for ${props.name}`} message={problem() ?? ''} />
      </Show>
      <p class="log-status">
        {status() === 'unavailable'
          ? 'The proxy has no log to show.'
          : status() === 'broken'
            ? `The log stream broke (${problem()}); reconnecting.`
            : pausedAt() === null
              ? `Following ${props.name}: ${shown().length} of ${lines().length} lines shown.`
              : `Paused: ${shown().length} lines shown, ${waiting()} new since.`}
      </p>
      <div class="log" ref={box} tabindex="0" role="log" aria-label={`Log of ${props.name}`}>
        <Show
          when={shown().length > 0}
          fallback={
            <p class="muted log-empty">
              {lines().length === 0
                ? 'No lines yet: they appear here as the server writes them.'
                : 'No line matches the filters.'}
            </p>
          }
        >
          <For each={shown()}>
            {(line) => (
              <div class={`log-line stream-${line.stream}${line.error ? ' log-error' : ''}`}>
                <time title={line.timestamp}>{time(line.timestamp)}</time>
                <span class="log-stream">{line.stream}</span>
                <span class="log-text">{line.text}</span>
              </div>
            )}
          </For>
        </Show>
      </div>
    </>
  );
}

/** Which server, which stream, which text; pause/follow and download. */
function LogFilters(props: {
  name: string;
  streams: Streams;
  onStreams: (streams: Streams) => void;
  text: string;
  onText: (text: string) => void;
  paused: boolean;
  waiting: number;
  onPause: () => void;
  onDownload: () => void;
  canDownload: boolean;
}) {
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <div class="field">
        <label for="log-server">Server</label>
        <select
          id="log-server"
          value={props.name}
          onChange={(event) => navigate(href.logs(event.currentTarget.value))}
        >
          <For each={live.servers}>
            {(server) => <option value={server.name}>{server.name}</option>}
          </For>
        </select>
      </div>
      <div class="field">
        <label for="log-stream">Stream</label>
        <select
          id="log-stream"
          value={props.streams}
          onChange={(event) => props.onStreams(event.currentTarget.value as Streams)}
        >
          <option value="all">all</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
          <option value="proxy">proxy</option>
        </select>
      </div>
      <div class="field grow">
        <label for="log-text">Text</label>
        <input
          id="log-text"
          type="search"
          value={props.text}
          onInput={(event) => props.onText(event.currentTarget.value)}
          placeholder="Show lines containing…"
        />
      </div>
      <div class="field buttons">
        <button type="button" aria-pressed={props.paused} onClick={() => props.onPause()}>
          {!props.paused ? 'Pause' : `Follow${props.waiting > 0 ? ` (${props.waiting} new)` : ''}`}
        </button>
        <button type="button" onClick={() => props.onDownload()} disabled={!props.canDownload}>
          Download
        </button>
      </div>
    </form>
  );
}
