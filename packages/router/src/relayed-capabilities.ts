import { isJsonObject, type JsonObject } from '@switchyard/protocol';

/** Backend-to-client requests the proxy relays, and the client capability each needs. */
export const RELAYED_CAPABILITY: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * The client capabilities a private backend session is given: those of its client that the proxy
 * relays, so the backend asks for exactly what this client can answer (docs/architecture.md,
 * "Backend sessions per client").
 */
export function relayable(capabilities: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.values(RELAYED_CAPABILITY)) {
    const value = capabilities[key];
    if (isJsonObject(value)) out[key] = value;
  }
  return out;
}
