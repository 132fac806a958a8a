// Counters and histograms in the Prometheus text format (0.0.4), kept in memory. On Workers each
// isolate has its own numbers; scrape Node/Deno edges, or use Workers analytics there.

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds; covers a cache hit (ms) up to a slow gpu-node call. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

interface Series<T> {
  labels: Labels;
  value: T;
}

class Family<T> {
  readonly series = new Map<string, Series<T>>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly init: () => T,
  ) {}

  at(labels: Labels): T {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, value: this.init() };
      this.series.set(key, s);
    }
    return s.value;
  }
}

interface HistogramValue {
  buckets: number[];
  sum: number;
  count: number;
}

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  observe(name: string, seconds: number, labels?: Labels): void;
  /** Gauges computed at scrape time (pool state). */
  gauge(name: string, help: string, read: () => Series<number>[]): void;
  render(): string;
}

export interface MetricDefinition {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
}

export const EDGE_METRICS: readonly MetricDefinition[] = [
  { name: 'refseg_edge_requests_total', help: 'HTTP requests answered, by route template, method and status.', type: 'counter' },
  { name: 'refseg_edge_request_duration_seconds', help: 'Time to answer an HTTP request, by route template.', type: 'histogram' },
  { name: 'refseg_edge_candidate_cache_total', help: 'Candidate-set cache lookups, by result (hit, miss).', type: 'counter' },
  { name: 'refseg_edge_segment_detections_total', help: 'Detections returned by segment requests.', type: 'counter' },
  { name: 'refseg_edge_throttled_total', help: 'Tenant requests refused with 429 by their key\'s fair-use limits, by reason (rate, concurrency).', type: 'counter' },
];

export function createMetrics(definitions: readonly MetricDefinition[] = EDGE_METRICS): Metrics {
  const counters = new Map<string, Family<{ n: number }>>();
  const histograms = new Map<string, Family<HistogramValue>>();
  const gauges: { name: string; help: string; read: () => Series<number>[] }[] = [];
  for (const d of definitions) {
    if (d.type === 'counter') counters.set(d.name, new Family(d.name, d.help, () => ({ n: 0 })));
    else histograms.set(d.name, new Family(d.name, d.help, () => ({ buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 })));
  }
  const need = <T>(map: Map<string, T>, name: string): T => {
    const f = map.get(name);
    if (!f) throw new Error(`metric ${name} is not defined`);
    return f;
  };

  return {
    inc(name, labels = {}, by = 1) {
      need(counters, name).at(labels).n += by;
    },
    observe(name, seconds, labels = {}) {
      const h = need(histograms, name).at(labels);
      DURATION_BUCKETS.forEach((le, i) => {
        if (seconds <= le) h.buckets[i]++;
      });
      h.sum += seconds;
      h.count++;
    },
    gauge(name, help, read) {
      gauges.push({ name, help, read });
    },
    render() {
      const lines: string[] = [];
      for (const f of counters.values()) {
        lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} counter`);
        for (const s of f.series.values()) lines.push(`${f.name}${labelText(s.labels)} ${s.value.n}`);
      }
      for (const f of histograms.values()) {
        lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} histogram`);
        for (const s of f.series.values()) {
          DURATION_BUCKETS.forEach((le, i) => lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.value.buckets[i]}`));
          lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.value.count}`);
          lines.push(`${f.name}_sum${labelText(s.labels)} ${s.value.sum}`, `${f.name}_count${labelText(s.labels)} ${s.value.count}`);
        }
      }
      for (const g of gauges) {
        lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
        for (const s of g.read()) lines.push(`${g.name}${labelText(s.labels)} ${s.value}`);
      }
      return lines.join('\n') + '\n';
    },
  };
}
