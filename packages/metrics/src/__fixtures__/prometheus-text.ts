/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: any line it does not
 * understand, a sample outside its family, a family without HELP or TYPE, or an inconsistent
 * histogram throws.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string | undefined;
  type: MetricType | undefined;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Prometheus reads values with Go's `strconv.ParseFloat`, which takes NaN and Inf in any case. */
function parseValue(text: string, line: string): number {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Number.POSITIVE_INFINITY;
  if (special === '-inf') return Number.NEGATIVE_INFINITY;
  if (special === 'nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`bad value ${JSON.stringify(text)} in: ${line}`);
  }
  return Number(text);
}

function unescapeText(text: string, allowQuote: boolean, line: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else throw new Error(`bad escape in: ${line}`);
  }
  return out;
}

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text;
  while (!rest.startsWith('}')) {
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name || rest[name.length] !== '=' || rest[name.length + 1] !== '"') {
      throw new Error(`bad label in: ${line}`);
    }
    rest = rest.slice(name.length + 2);
    let end = 0;
    while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
    if (end >= rest.length) throw new Error(`unterminated label value in: ${line}`);
    if (name in labels) throw new Error(`duplicate label ${name} in: ${line}`);
    labels[name] = unescapeText(rest.slice(0, end), true, line);
    rest = rest.slice(end + 1);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`expected , or } in: ${line}`);
  }
  return { labels, rest: rest.slice(1) };
}

function familyOf(sampleName: string, family: MetricFamily): boolean {
  if (sampleName === family.name) return family.type !== 'histogram';
  const suffix = sampleName.slice(family.name.length);
  if (!sampleName.startsWith(family.name)) return false;
  if (family.type === 'histogram') return ['_bucket', '_sum', '_count'].includes(suffix);
  if (family.type === 'summary') return ['_sum', '_count'].includes(suffix);
  return false;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`bucket without le in ${family.name}`);
      entry.buckets.push([parseValue(le, le), sample.value]);
    } else if (sample.name.endsWith('_count')) {
      entry.count = sample.value;
    }
  }
  for (const [key, { buckets, count }] of series) {
    const last = buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY || last[1] !== count) {
      throw new Error(`${family.name}${key}: +Inf bucket must equal _count`);
    }
    for (let i = 1; i < buckets.length; i++) {
      const [previousLe, previousCount] = buckets[i - 1] ?? [0, 0];
      const [le, bucketCount] = buckets[i] ?? [0, 0];
      if (le <= previousLe || bucketCount < previousCount) {
        throw new Error(`${family.name}${key}: buckets must be ascending and cumulative`);
      }
    }
  }
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  let current: MetricFamily | undefined;
  const declare = (name: string, line: string): MetricFamily => {
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
    let family = families.get(name);
    if (!family) {
      family = { name, help: undefined, type: undefined, samples: [] };
      families.set(name, family);
    } else if (family !== current || family.samples.length > 0) {
      throw new Error(`family ${name} declared twice or after its samples: ${line}`);
    }
    current = family;
    return family;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help) {
      const family = declare(help[1] ?? '', line);
      if (family.help !== undefined) throw new Error(`second HELP: ${line}`);
      family.help = unescapeText(help[2] ?? '', false, line);
    } else if (type) {
      const family = declare(type[1] ?? '', line);
      if (family.type !== undefined || !TYPES.has(type[2] ?? '')) {
        throw new Error(`bad or second TYPE: ${line}`);
      }
      family.type = type[2] as MetricType;
    } else if (line.startsWith('#')) {
      throw new Error(`unexpected comment: ${line}`);
    } else {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!name) throw new Error(`bad sample: ${line}`);
      let rest = line.slice(name.length);
      let labels: Record<string, string> = {};
      if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest.slice(1), line));
      const parts = rest.split(' ');
      if (parts[0] !== '' || parts.length < 2 || parts.length > 3) {
        throw new Error(`expected " value [timestamp]" in: ${line}`);
      }
      if (!current || !familyOf(name, current)) {
        throw new Error(`sample outside its family: ${line}`);
      }
      current.samples.push({ name, labels, value: parseValue(parts[1] ?? '', line) });
    }
  }
  for (const family of families.values()) {
    if (family.help === undefined || family.type === undefined) {
      throw new Error(`family ${family.name} lacks HELP or TYPE`);
    }
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/**
 * The value of the sample called `name` whose labels are exactly `labels`, or undefined if the
 * exposition has no such sample.
 */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === want) {
        return sample.value;
      }
    }
  }
  return undefined;
}
