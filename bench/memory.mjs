// P3: heap per idle session. Switchyard (stdio backend) runs in a child with --expose-gc and
// reports process.memoryUsage() after GC over IPC. Sessions are opened with raw fetch:
// `initialize` + `notifications/initialized`, then all are ended with DELETE.
import { switchyardStdio } from './lib/targets.mjs';
import { fmt, quick, table } from './lib/util.mjs';

const SESSIONS = quick ? 200 : 1000;
const PARALLEL = 16;
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function openSession(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'p3', version: '1' },
      },
    }),
  });
  await res.text();
  const session = res.headers.get('mcp-session-id');
  if (!res.ok || !session) throw new Error(`initialize: ${res.status}`);
  const note = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await note.text();
  if (note.status !== 202) throw new Error(`initialized: ${note.status}`);
  return session;
}

async function closeSession(url, session) {
  const res = await fetch(url, {
    method: 'DELETE',
    headers: { ...headers, 'mcp-session-id': session },
  });
  await res.text();
  if (!res.ok) throw new Error(`DELETE: ${res.status}`);
}

async function inBatches(items, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += PARALLEL) {
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  }
  return out;
}

export async function run() {
  const proxy = await switchyardStdio();
  try {
    // Warm the code paths (and the JIT) with a few sessions first, so they are not counted.
    await inBatches(
      await inBatches(Array.from({ length: 50 }), () => openSession(proxy.url)),
      (s) => closeSession(proxy.url, s),
    );
    const base = await proxy.memory();
    const sessions = await inBatches(Array.from({ length: SESSIONS }), () =>
      openSession(proxy.url),
    );
    const open = await proxy.memory();
    await inBatches(sessions, (s) => closeSession(proxy.url, s));
    const closed = await proxy.memory();
    const kb = (bytes) => fmt(bytes / 1024, 1);
    const per = (a, b) => (b - a) / SESSIONS;
    table(
      `P3: Switchyard memory with ${SESSIONS} idle sessions (after GC, proxy process)`,
      [
        'state',
        'sessions',
        'heapUsed MiB',
        'rss MiB',
        'heap delta/session KB',
        'rss delta/session KB',
      ],
      [
        ['baseline', base.sessions, fmt(base.heapUsed / 2 ** 20), fmt(base.rss / 2 ** 20), '', ''],
        [
          `${SESSIONS} open`,
          open.sessions,
          fmt(open.heapUsed / 2 ** 20),
          fmt(open.rss / 2 ** 20),
          kb(per(base.heapUsed, open.heapUsed)),
          kb(per(base.rss, open.rss)),
        ],
        [
          'after DELETE of all',
          closed.sessions,
          fmt(closed.heapUsed / 2 ** 20),
          fmt(closed.rss / 2 ** 20),
          `${fmt(((closed.heapUsed - base.heapUsed) / base.heapUsed) * 100, 1)} % vs baseline`,
          '',
        ],
      ],
    );
    const heapPer = per(base.heapUsed, open.heapUsed);
    const back = closed.heapUsed <= base.heapUsed * 1.05;
    console.log(
      [
        `target <= 20 KB heap per idle session: ${heapPer <= 20 * 1024 ? 'MET' : 'MISSED'} (${kb(heapPer)} KB)`,
        `target heap back to baseline (within 5 %) after DELETE: ${back ? 'MET' : 'MISSED'}`,
      ].join('\n'),
    );
    return { sessions: SESSIONS, base, open, closed, heapPerSessionBytes: heapPer };
  } finally {
    await proxy.stop();
  }
}
