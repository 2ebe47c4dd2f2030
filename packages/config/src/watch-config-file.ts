import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type Clock, systemClock } from '@switchyard/protocol';
import { ConfigError } from './config-error.js';
import { type LoadConfigOptions, loadConfigFile } from './load-config-file.js';
import type { SwitchyardConfig } from './model.js';

/** What a watched file turned into after an edit: a valid config, or every problem with it. */
export type ConfigChange =
  | { ok: true; config: SwitchyardConfig }
  | { ok: false; error: ConfigError };

export interface WatchConfigOptions extends LoadConfigOptions {
  /** Edits within this window are read once (editors write in several steps). Default 150 ms. */
  debounceMs?: number;
  /** The debounce timer's clock. */
  clock?: Clock;
}

/** A running watch; `close` stops it. */
export interface ConfigWatcher {
  close(): void;
}

/**
 * Watches a configuration file for hot reload (docs/operations.md, "Hot reload") and reports each
 * edit as a whole new, validated config or as the errors that make it invalid; the caller keeps its
 * running config when an edit is invalid. The directory is watched, not the file, because editors
 * often save by writing a new file and renaming it over the old one. Saves that change nothing are
 * not reported.
 */
export function watchConfigFile(
  file: string,
  onChange: (change: ConfigChange) => void,
  options: WatchConfigOptions = {},
): ConfigWatcher {
  const name = basename(file);
  const clock = options.clock ?? systemClock;
  let timer: unknown;
  let lastText: string | undefined;
  let closed = false;
  void readFile(file, 'utf8').then(
    (text) => {
      lastText ??= text;
    },
    () => {},
  );

  const check = async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return; // Between an editor's delete and rename; the next event reads the new file.
    }
    if (closed || text === lastText) return;
    lastText = text;
    try {
      onChange({ ok: true, config: await loadConfigFile(file, options) });
    } catch (error) {
      if (error instanceof ConfigError) onChange({ ok: false, error });
      else throw error;
    }
  };

  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      void check();
    }, options.debounceMs ?? 150);
  });
  watcher.on('error', () => {});
  return {
    close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      watcher.close();
    },
  };
}
