// Service metrics in Prometheus text exposition format, hand-written: a few counters and two
// histograms (rows per onnxruntime run, latency of POST /score) are all /metrics needs.

/** Rows per onnxruntime run: powers of two up to past the default max batch (256). */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * Latency of POST /score in seconds, from its headers to the answer written. Measured: 0.1 ms
 * in-process for a batched row, 3-7 ms p50/p99 over HTTP at concurrency 64 on two cores, 20-40 ms
 * for 64-row requests under the same load (inference/README.md), up to a second for a large address
 * list read from Postgres: so buckets from 0.25 ms to 1 s (and +Inf), about 2.5x apart.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface Metrics {
  request(route: string, status: number, seconds: number): void;
  error(code: string): void;
  rowsScored(model: string, n: number): void;
  batch(model: string, n: number): void;
  render(): string;
}

/** One histogram series: per-bucket counts (not cumulative; render() sums them), sum and count. */
interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const newHistogram = (bounds: readonly number[]): Histogram => ({ counts: bounds.map(() => 0), sum: 0, count: 0 });

function observe(h: Histogram, bounds: readonly number[], v: number): void {
  // The first bucket whose upper bound holds v (le: less than or equal); above the last: only +Inf.
  let i = 0;
  while (i < bounds.length && v > (bounds[i] as number)) i++;
  if (i < bounds.length) h.counts[i] = (h.counts[i] as number) + 1;
  h.sum += v;
  h.count += 1;
}

/** Exposition lines of one series: cumulative buckets, +Inf (= count), sum, count. */
function renderHistogram(out: string[], name: string, labels: string, bounds: readonly number[], h: Histogram): void {
  const sep = labels ? ',' : '';
  let cumulative = 0;
  bounds.forEach((le, i) => {
    cumulative += h.counts[i] as number;
    out.push(`${name}_bucket{${labels}${sep}le="${le}"} ${cumulative}`);
  });
  out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${h.count}`);
  const braces = labels ? `{${labels}}` : '';
  out.push(`${name}_sum${braces} ${h.sum}`, `${name}_count${braces} ${h.count}`);
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const errors = new Map<string, number>();
  const rows = new Map<string, number>();
  const batches = new Map<string, Histogram>();
  const latency = newHistogram(LATENCY_BUCKETS_SECONDS);
  const inc = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

  return {
    request(route, status, seconds) {
      inc(requests, `route="${route}",status="${status}"`);
      if (route === '/score') observe(latency, LATENCY_BUCKETS_SECONDS, seconds);
    },
    error(code) {
      inc(errors, `code="${code}"`);
    },
    rowsScored(model, n) {
      inc(rows, `model="${model}"`, n);
    },
    batch(model, n) {
      let h = batches.get(model);
      if (!h) {
        h = newHistogram(BATCH_BUCKETS);
        batches.set(model, h);
      }
      observe(h, BATCH_BUCKETS, n);
    },
    render() {
      const out: string[] = [];
      const counter = (name: string, help: string, m: Map<string, number>) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [labels, v] of m) out.push(`${name}{${labels}} ${v}`);
      };
      counter('inference_requests_total', 'HTTP requests by route and status.', requests);
      counter('inference_errors_total', 'Error responses by error code.', errors);
      counter('inference_rows_scored_total', 'Rows scored by model.', rows);
      out.push('# HELP inference_batch_size Rows per onnxruntime run.', '# TYPE inference_batch_size histogram');
      for (const [model, h] of batches) renderHistogram(out, 'inference_batch_size', `model="${model}"`, BATCH_BUCKETS, h);
      out.push(
        '# HELP inference_score_duration_seconds Latency of POST /score, headers to answer, errors included.',
        '# TYPE inference_score_duration_seconds histogram',
      );
      renderHistogram(out, 'inference_score_duration_seconds', '', LATENCY_BUCKETS_SECONDS, latency);
      return `${out.join('\n')}\n`;
    },
  };
}
