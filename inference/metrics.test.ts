// The Prometheus exposition of /metrics: latency and batch sizes are histograms whose cumulative
// buckets count exactly the observations made, requests and errors are counters by label.
import { BATCH_BUCKETS, createMetrics, LATENCY_BUCKETS_SECONDS } from './metrics';

/** The value of one exposition line, by its series name with labels; undefined when absent. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('metrics exposition', () => {
  it('makes the /score latency a histogram: each bucket counts the observations at or below its bound', () => {
    const m = createMetrics();
    // 0.1 ms, 0.25 ms (on a bound: le is inclusive), 3 ms, 40 ms, 2 s (only +Inf); /health is not /score.
    const seconds = [0.0001, 0.00025, 0.003, 0.04, 2];
    for (const s of seconds) m.request('/score', 200, s);
    m.request('/health', 200, 0.5);
    const text = m.render();
    expect(text).toContain('# TYPE inference_score_duration_seconds histogram');
    expect(text).not.toContain('summary');
    for (const le of LATENCY_BUCKETS_SECONDS) {
      expect(series(text, `inference_score_duration_seconds_bucket{le="${le}"}`)).toBe(seconds.filter((s) => s <= le).length);
    }
    expect(series(text, 'inference_score_duration_seconds_bucket{le="0.00025"}')).toBe(2);
    expect(series(text, 'inference_score_duration_seconds_bucket{le="0.005"}')).toBe(3);
    expect(series(text, 'inference_score_duration_seconds_bucket{le="1"}')).toBe(4);
    expect(series(text, 'inference_score_duration_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(series(text, 'inference_score_duration_seconds_count')).toBe(5);
    expect(series(text, 'inference_score_duration_seconds_sum')).toBeCloseTo(2.04335, 10);
  });

  it('has latency buckets from sub-millisecond to a second, ascending', () => {
    expect(LATENCY_BUCKETS_SECONDS[0]).toBeLessThan(0.001);
    expect(LATENCY_BUCKETS_SECONDS.at(-1)).toBe(1);
    for (let i = 1; i < LATENCY_BUCKETS_SECONDS.length; i++) {
      expect(LATENCY_BUCKETS_SECONDS[i]).toBeGreaterThan(LATENCY_BUCKETS_SECONDS[i - 1]!);
    }
    // Before any request the buckets are there, at 0, so a scrape always sees the series.
    const empty = createMetrics().render();
    expect(series(empty, 'inference_score_duration_seconds_bucket{le="0.001"}')).toBe(0);
    expect(series(empty, 'inference_score_duration_seconds_bucket{le="+Inf"}')).toBe(0);
  });

  it('makes batch sizes a histogram per model', () => {
    const m = createMetrics();
    const sizes = [1, 1, 3, 64, 300, 2000];
    for (const n of sizes) m.batch('a', n);
    m.batch('b', 7);
    const text = m.render();
    expect(text).toContain('# TYPE inference_batch_size histogram');
    for (const le of BATCH_BUCKETS) {
      expect(series(text, `inference_batch_size_bucket{model="a",le="${le}"}`)).toBe(sizes.filter((n) => n <= le).length);
    }
    expect(series(text, 'inference_batch_size_bucket{model="a",le="4"}')).toBe(3);
    expect(series(text, 'inference_batch_size_bucket{model="a",le="+Inf"}')).toBe(6);
    expect(series(text, 'inference_batch_size_sum{model="a"}')).toBe(2369);
    expect(series(text, 'inference_batch_size_count{model="a"}')).toBe(6);
    expect(series(text, 'inference_batch_size_bucket{model="b",le="4"}')).toBe(0);
    expect(series(text, 'inference_batch_size_bucket{model="b",le="8"}')).toBe(1);
  });

  it('counts requests by route and status, errors by code, rows by model', () => {
    const m = createMetrics();
    m.request('/score', 200, 0.001);
    m.request('/score', 200, 0.001);
    m.request('/score', 400, 0.001);
    m.request('/health', 200, 0.001);
    m.error('INVALID_NUMBER');
    m.error('INVALID_NUMBER');
    m.error('UNKNOWN_MODEL');
    m.rowsScored('a', 3);
    m.rowsScored('a', 4);
    const text = m.render();
    expect(text).toContain('# TYPE inference_requests_total counter');
    expect(series(text, 'inference_requests_total{route="/score",status="200"}')).toBe(2);
    expect(series(text, 'inference_requests_total{route="/score",status="400"}')).toBe(1);
    expect(series(text, 'inference_requests_total{route="/health",status="200"}')).toBe(1);
    expect(series(text, 'inference_errors_total{code="INVALID_NUMBER"}')).toBe(2);
    expect(series(text, 'inference_errors_total{code="UNKNOWN_MODEL"}')).toBe(1);
    expect(series(text, 'inference_rows_scored_total{model="a"}')).toBe(7);
    expect(text.endsWith('\n')).toBe(true);
  });
});
