import { describe, expect, it } from 'vitest';
import { Registry } from './metrics.ts';

describe('Registry', () => {
  it('renders counters, gauges and cumulative histogram buckets in the Prometheus text format', () => {
    const r = new Registry();
    const c = r.counter('x_total', 'Things.');
    c.inc({ path: 'a"b\\c\nd' });
    c.inc({ path: 'a"b\\c\nd' }, 2);
    r.gauge('g', 'A gauge.', () => [{ labels: {}, value: 1.5 }]);
    const h = r.histogram('h_seconds', 'Times.', [0.1, 1]);
    h.observe({ k: 'v' }, 0.05);
    h.observe({ k: 'v' }, 0.5);
    h.observe({ k: 'v' }, 7);
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{path="a\\"b\\\\c\\nd"} 3',
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g 1.5',
        '# HELP h_seconds Times.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{k="v",le="0.1"} 1',
        'h_seconds_bucket{k="v",le="1"} 2',
        'h_seconds_bucket{k="v",le="+Inf"} 3',
        'h_seconds_sum{k="v"} 7.55',
        'h_seconds_count{k="v"} 3',
        '',
      ].join('\n'),
    );
    expect(c.value({ path: 'a"b\\c\nd' })).toBe(3);
  });
});
