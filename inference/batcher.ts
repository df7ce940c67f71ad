// A small dynamic batcher in front of one model's session: concurrent requests are packed into one
// run of up to maxBatch rows. The first request waits at most maxWaitMs for company; while a run is
// in flight, new requests queue and go together in the next run as soon as it ends.
//
// maxWaitMs 0 waits for no timer but to the end of the current event-loop turn (setImmediate): every
// request parsed in the same turn (HTTP bodies that arrived together, or concurrent in-process calls)
// shares the run, at no added latency. Under load this self-clocks: batches grow to whatever arrived
// during the previous run. A timer only helps when a run's fixed cost is large against the arrival
// rate (a GPU); with a positive wait and fewer concurrent clients than maxBatch, every run waits the
// full maxWaitMs (the benchmark measured both).

/** Defaults of the service's batcher (INFERENCE_MAX_BATCH / INFERENCE_MAX_WAIT_MS and createInferenceService's options). */
export const DEFAULT_MAX_BATCH = 256;
export const DEFAULT_MAX_WAIT_MS = 0;

export interface BatcherOptions {
  /** Values per row. */
  width: number;
  maxBatch: number;
  maxWaitMs: number;
  /** Scores n rows (row-major, n × width); returns n values. One call at a time. */
  run(rows: Float32Array, n: number): Promise<Float32Array>;
  /** Called after each run with its row count (for metrics). */
  onBatch?(n: number): void;
}

export interface Batcher {
  /** Scores n rows; a request larger than maxBatch is split over several runs. */
  submit(rows: Float32Array, n: number): Promise<Float32Array>;
  /** Stops accepting work and waits for queued and running batches to finish. */
  close(): Promise<void>;
}

interface Pending {
  rows: Float32Array;
  n: number;
  resolve(scores: Float32Array): void;
  reject(err: unknown): void;
}

export function createBatcher(opts: BatcherOptions): Batcher {
  const { width, maxBatch, maxWaitMs } = opts;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${maxBatch}`);
  const queue: Pending[] = [];
  let queuedRows = 0;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let closed = false;

  function schedule(): void {
    if (running || queue.length === 0) return;
    if (queuedRows >= maxBatch) {
      flush();
    } else if (maxWaitMs <= 0) {
      immediate ??= setImmediate(flush);
    } else if (!timer) {
      timer = setTimeout(flush, maxWaitMs);
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = null;
    immediate = null;
    if (running || queue.length === 0) return;
    // Every queued chunk has at most maxBatch rows, so the first always fits.
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length > 0 && n + (queue[0] as Pending).n <= maxBatch) {
      const p = queue.shift() as Pending;
      batch.push(p);
      n += p.n;
    }
    queuedRows -= n;
    running = runBatch(batch, n).finally(() => {
      running = null;
      // Whatever queued during the run goes next, without waiting again: it has waited already.
      if (queue.length > 0) flush();
    });
  }

  async function runBatch(batch: Pending[], n: number): Promise<void> {
    let input: Float32Array;
    if (batch.length === 1) {
      input = (batch[0] as Pending).rows;
    } else {
      input = new Float32Array(n * width);
      let offset = 0;
      for (const p of batch) {
        input.set(p.rows, offset * width);
        offset += p.n;
      }
    }
    try {
      const scores = await opts.run(input, n);
      opts.onBatch?.(n);
      let offset = 0;
      for (const p of batch) {
        p.resolve(scores.slice(offset, offset + p.n));
        offset += p.n;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  function enqueue(rows: Float32Array, n: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      queue.push({ rows, n, resolve, reject });
      queuedRows += n;
      schedule();
    });
  }

  return {
    async submit(rows, n) {
      if (closed) throw new Error('batcher is closed');
      if (rows.length !== n * width) throw new Error(`expected ${n} × ${width} values, got ${rows.length}`);
      if (n === 0) return new Float32Array(0);
      if (n <= maxBatch) return enqueue(rows, n);
      const parts: Promise<Float32Array>[] = [];
      for (let start = 0; start < n; start += maxBatch) {
        const end = Math.min(start + maxBatch, n);
        parts.push(enqueue(rows.subarray(start * width, end * width), end - start));
      }
      const out = new Float32Array(n);
      let offset = 0;
      for (const part of await Promise.all(parts)) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
    async close() {
      closed = true;
      while (running || queue.length > 0) {
        flush();
        await running;
      }
    },
  };
}
