import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const valid = `# HELP jobs_total Jobs done.
# TYPE jobs_total counter
jobs_total{queue="a \\"b\\"\\nc"} 3

# HELP wait_seconds Wait.
# TYPE wait_seconds histogram
wait_seconds_bucket{le="1"} 1
wait_seconds_bucket{le="+Inf"} 2
wait_seconds_sum 3.5
wait_seconds_count 2
`;

describe('parsePrometheusText (test helper)', () => {
  it('reads families, unescaped labels and histogram samples', () => {
    const families = parsePrometheusText(valid);
    expect(sampleValue(families, 'jobs_total', { queue: 'a "b"\nc' })).toBe(3);
    expect(sampleValue(families, 'wait_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(sampleValue(families, 'wait_seconds_sum')).toBe(3.5);
  });

  it.each([
    ['a sample without HELP or TYPE', 'jobs_total 1\n'],
    ['a family without HELP', '# TYPE jobs_total counter\njobs_total 1\n'],
    ['a sample of another family', valid.replace('jobs_total{', 'other_total{')],
    ['an unescaped quote', valid.replace('\\"b\\"', '"b"')],
    ['an unknown escape', valid.replace('\\nc', '\\tc')],
    ['a value that is not a number', valid.replace('} 3', '} three')],
    ['a missing final newline', valid.trimEnd()],
    ['a +Inf bucket that differs from _count', valid.replace('_count 2', '_count 3')],
    ['buckets that are not cumulative', valid.replace('le="1"} 1', 'le="1"} 5')],
  ])('rejects %s', (_case, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
