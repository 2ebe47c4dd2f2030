import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from '../config-error.js';

/** The text of a file in this folder. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

/** Runs `load` and returns the issues of the `ConfigError` it must throw. */
export function issuesOf(load: () => unknown): ConfigIssue[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

/** Like {@link issuesOf} for a promise. */
export async function rejectionOf(load: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}
