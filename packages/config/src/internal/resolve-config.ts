import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from '../config-error.js';
import type { ParseOptions, SwitchyardConfig } from '../model.js';
import { buildModel } from './build-model.js';
import { detectDialect } from './detect-dialect.js';
import { fromMcpServers } from './from-mcp-servers.js';
import { fromSeed } from './from-seed.js';
import { mcpServersSchema } from './mcp-servers-schema.js';
import { seedSchema } from './seed-schema.js';
import { stateDirectory } from './state-dir.js';
import { substituteEnv } from './substitute-env.js';
import { switchyardSchema } from './switchyard-schema.js';
import { type IssueSource, locatedIssue, toConfigIssue } from './to-config-issues.js';

const byPosition = (a: ConfigIssue, b: ConfigIssue) =>
  (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY) ||
  (a.column ?? Number.POSITIVE_INFINITY) - (b.column ?? Number.POSITIVE_INFINITY);

/**
 * The pipeline shared by files and objects: detect the dialect, substitute the environment,
 * validate, then map to the model with its defaults. Substitution comes before validation, so
 * `${API_URL:-http://localhost:8080}/sse` is checked as the URL it becomes; every issue of every
 * stage is collected and thrown together, in source order.
 */
export function resolveConfig(
  data: unknown,
  source: IssueSource,
  options: ParseOptions,
): SwitchyardConfig {
  const dialect = detectDialect(data);
  const substituted = substituteEnv(data, options.env ?? {});
  const issues = substituted.issues.map((issue) => locatedIssue(source, issue.path, issue, false));
  const unresolved = new Set(issues.map((issue) => issue.path));

  const validate = <const TSchema extends v.GenericSchema>(
    schema: TSchema,
  ): v.InferOutput<TSchema> | undefined => {
    const result = v.safeParse(schema, substituted.value);
    if (result.success) return result.output;
    for (const issue of result.issues) {
      const located = toConfigIssue(issue, source);
      if (!unresolved.has(located.path)) issues.push(located);
    }
    return undefined;
  };

  let model: SwitchyardConfig | undefined;
  const context = {
    dialect,
    file: options.file,
    stateDir: stateDirectory(options),
    path: options.path,
    secretValues: substituted.secrets,
  };
  if (dialect === 'seed') {
    const seed = validate(seedSchema);
    if (seed !== undefined && issues.length === 0) {
      const { input, plugins } = fromSeed(seed);
      model = buildModel(input, { ...context, plugins });
    }
  } else if (dialect === 'mcpServers') {
    const file = validate(mcpServersSchema);
    if (file !== undefined && issues.length === 0)
      model = buildModel(fromMcpServers(file), context);
  } else {
    const input = validate(switchyardSchema);
    if (input !== undefined && issues.length === 0) model = buildModel(input, context);
  }
  if (model === undefined) throw new ConfigError('config_invalid', issues.sort(byPosition));
  return model;
}
