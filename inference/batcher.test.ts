import { createBatcher } from './batcher';

// A stand-in model that is easy to check: each row's score is the sum of its values.
function sumRows(rows: Float32Array, n: number, width: number): Float32Array {
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) out[r]! += rows[r * width + c]!;
  return out;
}

function recorder(width: number, delayMs = 0) {
  const runs: number[] = [];
  return {
    runs,
    run: async (rows: Float32Array, n: number) => {
      runs.push(n);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return sumRows(rows, n, width);
    },
  };
}

const rowsOf = (values: number[][]) => Float32Array.from(values.flat());

describe('createBatcher', () => {
  it('shares one run among concurrent requests and returns each its own rows', async () => {
    const rec = recorder(2);
    const batched: number[] = [];
    const b = createBatcher({ width: 2, maxBatch: 256, maxWaitMs: 20, run: rec.run, onBatch: (n) => batched.push(n) });
    const calls = Array.from({ length: 10 }, (_, i) =>
      b.submit(
        rowsOf([
          [i, 1],
          [i, 2],
        ]),
        2,
      ),
    );
    const results = await Promise.all(calls);
    for (const [i, scores] of results.entries()) expect(Array.from(scores)).toEqual([i + 1, i + 2]);
    expect(rec.runs).toEqual([20]);
    expect(batched).toEqual([20]);
  });

  it('never runs more than maxBatch rows and splits a large request', async () => {
    const rec = recorder(1);
    const b = createBatcher({ width: 1, maxBatch: 4, maxWaitMs: 5, run: rec.run });
    const big = Float32Array.from({ length: 10 }, (_, i) => i);
    const [a, s1, s2] = await Promise.all([b.submit(big, 10), b.submit(rowsOf([[100]]), 1), b.submit(rowsOf([[200]]), 1)]);
    expect(Array.from(a)).toEqual(Array.from(big));
    expect(Array.from(s1)).toEqual([100]);
    expect(Array.from(s2)).toEqual([200]);
    expect(Math.max(...rec.runs)).toBeLessThanOrEqual(4);
    expect(rec.runs.reduce((x, y) => x + y, 0)).toBe(12);
    expect(rec.runs.length).toBeLessThan(12);
  });

  it('with maxWaitMs 0, shares one run among requests of the same event-loop turn, without a timer', async () => {
    const rec = recorder(1);
    const b = createBatcher({ width: 1, maxBatch: 64, maxWaitMs: 0, run: rec.run });
    const t0 = performance.now();
    const sameTurn = [1, 2, 3].map((v) => b.submit(rowsOf([[v]]), 1));
    expect((await Promise.all(sameTurn)).map((s) => s[0])).toEqual([1, 2, 3]);
    expect(rec.runs).toEqual([3]);
    expect(performance.now() - t0).toBeLessThan(50);
    // A later turn is a new run.
    await b.submit(rowsOf([[4]]), 1);
    expect(rec.runs).toEqual([3, 1]);
  });

  it('queues requests that arrive during a run into the next single run', async () => {
    const rec = recorder(1, 30);
    const b = createBatcher({ width: 1, maxBatch: 64, maxWaitMs: 0, run: rec.run });
    const first = b.submit(rowsOf([[1]]), 1);
    await new Promise((r) => setTimeout(r, 5)); // first run is now in flight
    const later = Array.from({ length: 5 }, (_, i) => b.submit(rowsOf([[10 + i]]), 1));
    expect(Array.from(await first)).toEqual([1]);
    expect((await Promise.all(later)).map((s) => s[0])).toEqual([10, 11, 12, 13, 14]);
    expect(rec.runs).toEqual([1, 5]);
  });

  it('rejects every request of a failed run, and keeps serving afterwards', async () => {
    let fail = true;
    const b = createBatcher({
      width: 1,
      maxBatch: 8,
      maxWaitMs: 5,
      run: async (rows, n) => {
        if (fail) throw new Error('boom');
        return sumRows(rows, n, 1);
      },
    });
    const results = await Promise.allSettled([b.submit(rowsOf([[1]]), 1), b.submit(rowsOf([[2]]), 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(Array.from(await b.submit(rowsOf([[3]]), 1))).toEqual([3]);
  });

  it('checks the row count against the width and finishes queued work on close', async () => {
    const rec = recorder(3);
    const b = createBatcher({ width: 3, maxBatch: 8, maxWaitMs: 1000, run: rec.run });
    await expect(b.submit(new Float32Array(5), 2)).rejects.toThrow('expected 2 × 3 values, got 5');
    const pending = b.submit(rowsOf([[1, 2, 3]]), 1);
    await b.close(); // does not wait out the 1000 ms timer
    expect(Array.from(await pending)).toEqual([6]);
    await expect(b.submit(rowsOf([[1, 2, 3]]), 1)).rejects.toThrow('closed');
  });
});
