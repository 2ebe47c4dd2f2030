/**
 * `@switchyard/config/node`: reading and watching configuration files, for the CLI and for library
 * users who start from a file.
 */
export { type LoadConfigOptions, loadConfigFile } from './load-config-file.js';
export { type WatchConfigOptions, watchConfigFile } from './watch-config-file.js';
