import { AdminApiError, createAdminClient } from '@switchyard/admin-api';
import { createSignal } from 'solid-js';

const KEY_ITEM = 'switchyard.apiKey';

function readKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY_ITEM) ?? undefined;
  } catch {
    return undefined;
  }
}

const [key, setKeySignal] = createSignal<string | undefined>(readKey());

/** The admin key of this tab: kept in sessionStorage, so it lasts until the tab is closed. */
export const apiKey = key;

/** Keeps the key for the tab, or forgets it (`undefined`). */
export function setApiKey(value: string | undefined): void {
  try {
    if (value === undefined) sessionStorage.removeItem(KEY_ITEM);
    else sessionStorage.setItem(KEY_ITEM, value);
  } catch {
    // Storage refused (private mode): the key still lasts as long as the page.
  }
  setKeySignal(value);
}

/** The one way the dashboard reaches the proxy: the typed client of `/api`, same origin. */
export const api = createAdminClient({ key: () => key() });

/** Whether the proxy said the key was missing or wrong. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof AdminApiError && error.unauthorized;
}

/** The words to show for a failed request. */
export function messageOf(error: unknown): string {
  if (error instanceof AdminApiError) return `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A request whose 401 sends the user back to the key prompt (the key was changed or forgotten);
 * other failures reach the caller.
 */
export async function guarded<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (isUnauthorized(error)) onUnauthorized?.(messageOf(error));
    throw error;
  }
}

let onUnauthorized: ((message: string) => void) | undefined;

/** Who hears a refused key: the live store, which shows the key prompt. */
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}
