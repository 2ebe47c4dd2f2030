import { RPC_METHODS, type RpcCall, type RpcExchange } from '@switchyard/admin-api';
import {
  type Clock,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcMessage,
  LATEST_LEGACY_REVISION,
  SwitchyardError,
} from '@switchyard/protocol';
import type { Router } from '@switchyard/router';
import { PROXY_VERSION } from './version.js';

/** The front kind of playground sessions, as sessions and metrics show it. */
export const ADMIN_TRANSPORT = 'admin';

/**
 * One MCP request through the aggregate router, as a client session of its own would send it
 * (`initialize`, `notifications/initialized`, the request, close), for the dashboard's playground:
 * the call crosses exactly what a client's does (namespacing, admission, translation, metrics) and
 * the raw request and response come back. The session is bound to the admin key's principal.
 */
export function createAdminRpc(router: Pick<Router, 'openSession'>, clock: Clock) {
  return async (call: RpcCall, principal: string): Promise<RpcExchange> => {
    if (!(RPC_METHODS as readonly string[]).includes(call.method)) {
      throw new SwitchyardError(
        'invalid_params',
        `method "${call.method}" is not one the playground sends (${RPC_METHODS.join(', ')})`,
      );
    }
    if (
      call.params !== undefined &&
      (typeof call.params !== 'object' || call.params === null || Array.isArray(call.params))
    )
      throw new SwitchyardError('invalid_params', '"params" must be an object');
    const waiting = new Map<JsonRpcId, (message: JsonRpcMessage) => void>();
    const session = router.openSession(
      (message) => {
        if ('id' in message && message.id !== null && !('method' in message))
          waiting.get(message.id)?.(message);
      },
      { transport: ADMIN_TRANSPORT, principal },
    );
    const send = (message: JsonObject & { id: JsonRpcId }) =>
      new Promise<JsonRpcMessage>((resolve) => {
        waiting.set(message.id, resolve);
        session.handle(message as unknown as JsonRpcMessage);
      });
    try {
      const init = await send({
        jsonrpc: '2.0',
        id: 'initialize',
        method: 'initialize',
        params: {
          protocolVersion: LATEST_LEGACY_REVISION,
          capabilities: {},
          clientInfo: { name: 'switchyard-dashboard', version: PROXY_VERSION },
        },
      });
      if ('error' in init) throw new SwitchyardError('internal_error', init.error.message);
      session.handle({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const request: RpcExchange['request'] = {
        jsonrpc: '2.0',
        id: 1,
        method: call.method,
        ...(call.params === undefined ? {} : { params: call.params }),
      };
      const started = clock.now();
      const response = await send(request as JsonObject & { id: JsonRpcId });
      return {
        request,
        response: response as RpcExchange['response'],
        durationMs: Math.round((clock.now() - started) * 1000) / 1000,
      };
    } finally {
      await session.close();
    }
  };
}
