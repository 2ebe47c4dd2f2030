import * as v from 'valibot';
import { DEFAULTS } from './defaults.js';
import { isRecord } from './is-record.js';
import {
  boolean,
  field,
  integer,
  nonEmptyString,
  type ObjectCheck,
  strictObject,
  string,
  stringMap,
} from './schema-parts.js';

/** A factor weight of the context weighting formula: a number in [0, 1]. */
const fraction = () =>
  v.pipe(
    v.number('number in [0, 1]'),
    v.minValue(0, 'number in [0, 1]'),
    v.maxValue(1, 'number in [0, 1]'),
  );

const { contextTracing: T, openTelemetry: O } = DEFAULTS;

/** `contextTracing` (docs/tracing.md): the store, the response grouping and the weights. */
export const contextTracingSchema = () =>
  strictObject({
    enabled: field(boolean(), `Record what backends return to clients. Default ${T.enabled}.`),
    sqlitePath: field(
      string(),
      'Tracing database file. Default <state dir>/switchyard/tracing/<file>-<hash>.db, one per config file.',
    ),
    retentionDays: field(integer(1), `Days of history kept. Default ${T.retentionDays}.`),
    maxSizeMb: field(
      integer(1),
      `Largest database size in MiB; the oldest responses go first beyond it. Default ${T.maxSizeMb}.`,
    ),
    cacheSize: field(integer(0), `Context units cached in memory. Default ${T.cacheSize}.`),
    idleGapMs: field(
      integer(1000),
      `A session's open response closes after this long without new context. Default ${T.idleGapMs}.`,
    ),
    weights: field(
      strictObject({
        retrieval: field(
          fraction(),
          `Weight of the retrieval score. Default ${T.weights.retrieval}.`,
        ),
        recency: field(fraction(), `Weight of recency. Default ${T.weights.recency}.`),
        type: field(fraction(), `Weight of the unit type. Default ${T.weights.type}.`),
        length: field(fraction(), `Weight of the summary length. Default ${T.weights.length}.`),
      }),
      'Factor weights of a context unit within a response; they must sum to 1.',
    ),
  });

/** `openTelemetry` (docs/tracing.md, "OpenTelemetry"): spans of every proxied request over OTLP/HTTP. */
export const openTelemetrySchema = () =>
  strictObject({
    enabled: field(boolean(), `Export a span per proxied request. Default ${O.enabled}.`),
    endpoint: field(nonEmptyString(), `OTLP/HTTP traces endpoint. Default "${O.endpoint}".`),
    headers: field(
      stringMap(),
      'HTTP headers sent with each export, e.g. an API key (kept secret).',
    ),
    serviceName: field(
      nonEmptyString(),
      `The service.name resource attribute. Default "${O.serviceName}".`,
    ),
  });

/** The four factor weights given must sum to 1 (± 0.01) with the defaults of those left out. */
export const checkTracingWeights: ObjectCheck = (root, report) => {
  const tracing = root.contextTracing;
  if (!isRecord(tracing) || !isRecord(tracing.weights)) return;
  const given = tracing.weights;
  const pick = (key: keyof typeof T.weights) =>
    typeof given[key] === 'number' ? (given[key] as number) : T.weights[key];
  const sum = pick('retrieval') + pick('recency') + pick('type') + pick('length');
  if (Math.abs(sum - 1) > 0.01) {
    report({
      message: `must sum to 1 (± 0.01), not ${Number(sum.toFixed(4))}; weights left out count with their defaults`,
      keys: ['contextTracing', 'weights'],
    });
  }
};
