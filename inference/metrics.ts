// Service metrics in Prometheus text exposition format, hand-written: a few counters, a batch-size
// histogram and a latency summary are all /metrics needs.

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface Metrics {
  request(route: string, status: number, seconds: number): void;
  error(code: string): void;
  rowsScored(model: string, n: number): void;
  batch(model: string, n: number): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const errors = new Map<string, number>();
  const rows = new Map<string, number>();
  const batches = new Map<string, { buckets: number[]; sum: number; count: number }>();
  let latencySum = 0;
  let latencyCount = 0;
  const inc = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

  return {
    request(route, status, seconds) {
      inc(requests, `route="${route}",status="${status}"`);
      if (route === '/score') {
        latencySum += seconds;
        latencyCount += 1;
      }
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
        h = { buckets: BATCH_BUCKETS.map(() => 0), sum: 0, count: 0 };
        batches.set(model, h);
      }
      // Buckets are cumulative, as Prometheus histograms expect.
      h.buckets = h.buckets.map((count, i) => (n <= (BATCH_BUCKETS[i] as number) ? count + 1 : count));
      h.sum += n;
      h.count += 1;
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
      for (const [model, h] of batches) {
        BATCH_BUCKETS.forEach((le, i) => {
          out.push(`inference_batch_size_bucket{model="${model}",le="${le}"} ${h.buckets[i]}`);
        });
        out.push(`inference_batch_size_bucket{model="${model}",le="+Inf"} ${h.count}`);
        out.push(`inference_batch_size_sum{model="${model}"} ${h.sum}`, `inference_batch_size_count{model="${model}"} ${h.count}`);
      }
      out.push(
        '# HELP inference_score_duration_seconds Latency of POST /score.',
        '# TYPE inference_score_duration_seconds summary',
        `inference_score_duration_seconds_sum ${latencySum}`,
        `inference_score_duration_seconds_count ${latencyCount}`,
      );
      return `${out.join('\n')}\n`;
    },
  };
}
