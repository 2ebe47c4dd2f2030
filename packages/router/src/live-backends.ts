import type { Clock } from '@switchyard/protocol';
import type { LiveBackend, LiveBackends, SessionLookup } from './context.js';
import type { BackendDirectory, BackendEntry } from './directory.js';
import { failed } from './outcome.js';

export interface LiveBackendsOptions {
  directory: BackendDirectory;
  clock: Clock;
  /** How long a request waits for a backend that is still starting before going on without it. */
  startupWaitMs: number;
}

/**
 * The live-backend view: which configured backends are running, waiting (bounded) for those still
 * starting and waking on-demand ones, so that a first list after start-up is complete
 * (docs/architecture.md, "Start-up").
 */
export function createLiveBackends(options: LiveBackendsOptions): LiveBackends {
  const { directory, clock } = options;
  const entries = (): readonly BackendEntry[] => directory.list();
  const entryOf = (name: string): BackendEntry | undefined =>
    directory.entry ? directory.entry(name) : entries().find((e) => e.name === name);

  /** Waits (bounded) for backends still starting; `wake` also starts on-demand ones. */
  const settled = async (among: readonly BackendEntry[], wake = true): Promise<void> => {
    const starting = [
      ...among.filter((e) => e.state === 'starting' && e.ready).map((e) => e.ready),
      ...among.filter((e) => wake && e.onDemand).map((e) => directory.wake?.(e.name)),
    ].filter((p) => p !== undefined);
    if (starting.length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, options.startupWaitMs);
      Promise.allSettled(starting).then(() => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  };

  return {
    entries,
    async live(capability, wake = true) {
      await settled(entries(), wake);
      const out: LiveBackend[] = [];
      entries().forEach((entry, order) => {
        const session = entry.session;
        if (entry.state !== 'running' || !session || session.closed !== undefined) return;
        if (capability && !(capability in session.serverCapabilities)) return;
        out.push({ entry, session, order });
      });
      return out;
    },
    async sessionOf(name): Promise<SessionLookup> {
      let current = entryOf(name);
      if (current && (current.state === 'starting' || current.onDemand)) {
        // Read again after the wait: the backend may have come up, or gone, meanwhile.
        await settled([current]);
        current = entryOf(name);
      }
      if (current?.state === 'running' && current.session && current.session.closed === undefined) {
        directory.touch?.(name);
        return { session: current.session, openPrivate: current.openPrivate };
      }
      const state = current?.state ?? 'removed';
      const reason = current?.reason ?? current?.session?.closed;
      return {
        error: failed(
          'backend_unavailable',
          `Backend "${name}" is unavailable (${state}${reason ? `: ${reason}` : ''})`,
          { server: name, state },
        ),
      };
    },
  };
}
