/**
 * `@switchyard/config/node`: finding and reading configuration files (spec C1), for the CLI and
 * for library users who start from a file.
 */
export { CONFIG_FILE_NAMES, findConfigFile } from './find-config-file.js';
export { type LoadConfigOptions, loadConfigFile } from './load-config-file.js';
export {
  type ConfigChange,
  type ConfigWatcher,
  type WatchConfigOptions,
  watchConfigFile,
} from './watch-config-file.js';
