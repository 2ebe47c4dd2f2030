import type { PinningMode, SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import type { JsonObject } from '@switchyard/protocol';
import type { ToolPolicy } from '@switchyard/router';
import type { ToolPins } from './tool-pins.js';

/** Pinning as the routers see it: the tools they list, and which of those they may show. */
export interface ToolPinning {
  /** A backend listed `tool` (the router's `toolListed` observation). */
  listed(server: string, tool: JsonObject): void;
  /** Holds back a changed tool of a server with `pinning: block` until it is approved. */
  readonly policy: ToolPolicy;
  readonly pins: ToolPins;
}

/** A server's `pinning` in `config`; a server it does not name (a virtual one) gets the top level's. */
export function pinningModeOf(config: SwitchyardConfig, server: string): PinningMode {
  return config.servers.find((s) => s.name === server)?.pinning ?? config.pinning;
}

export interface ToolPinningOptions {
  pins: ToolPins;
  /** The pinning mode of a server now (it may change with a reload). */
  modeOf(server: string): PinningMode;
  logger: Logger;
  metrics: Pick<Metrics, 'toolDefinitionChanged'>;
}

/**
 * Tool definition pinning (docs/operations.md, "Tool pinning"): a tool's definition is pinned when
 * first listed; a changed definition is logged (warn) and counted once per new hash, and under
 * `pinning: block` the tool is left out of lists and refused until approved.
 */
export function createToolPinning(options: ToolPinningOptions): ToolPinning {
  const { pins, logger } = options;
  return {
    pins,
    listed(server, tool) {
      const mode = options.modeOf(server);
      if (mode === 'off') return;
      const outcome = pins.seen(server, tool);
      const name = String(tool.name);
      if (outcome.type === 'changed') {
        logger.warn('tool definition changed since it was pinned', {
          server,
          tool: name,
          pinnedHash: outcome.pinnedHash,
          currentHash: outcome.currentHash,
          pinning: mode,
        });
        options.metrics.toolDefinitionChanged(server);
      } else if (outcome.type === 'pinned') {
        logger.debug('tool definition pinned', { server, tool: name, hash: outcome.hash });
      } else if (outcome.type === 'restored') {
        logger.info('tool definition is the pinned one again', { server, tool: name });
      }
    },
    policy(server, tool) {
      if (options.modeOf(server) !== 'block') return { show: true };
      const pin = pins.get(server, tool);
      if (!pin?.changed) return { show: true };
      return {
        show: false,
        message: `Tool not approved: "${tool}" of server "${server}" changed since it was pinned (approve it with: switchyard approve ${server} ${tool})`,
        data: { server, tool, pinnedHash: pin.hash, currentHash: pin.changed.hash },
      };
    },
  };
}
