import { densityIngest, mergeBatches } from './ingest';

const batch = (logs: number, isHead = false) => ({ blocks: [{ logs: new Array(logs).fill(0) }], isHead });
const sizes = async (src: AsyncIterable<ReturnType<typeof batch>>, max = { logs: 600, blocks: 100 }) => {
  const out: number[] = [];
  for await (const b of mergeBatches(src, max)) out.push(b.blocks.reduce((n, x) => n + x.logs.length, 0));
  return out;
};

it('merges what the ingest has fetched up to the maximum, and hands the head over at once', async () => {
  async function* fetched() {
    for (let i = 0; i < 7; i++) yield batch(100);
    yield batch(50, true);
  }
  expect(await sizes(fetched())).toEqual([600, 150]);
});

it('hands a batch of at least a sixth of the maximum over while the ingest is still fetching', async () => {
  async function* slow() {
    yield batch(100);
    yield batch(100);
    await new Promise((r) => setTimeout(r, 20));
    yield batch(30);
    await new Promise((r) => setTimeout(r, 20));
    yield batch(100);
  }
  // 200 >= 100 is handed over while the third is fetched; 30 < 100 waits for the fourth.
  expect(await sizes(slow())).toEqual([200, 130]);
});

it('passes an ingest failure on', async () => {
  async function* failing() {
    yield batch(200);
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('rpc gone');
  }
  const seen: number[] = [];
  await expect(
    (async () => {
      for await (const b of mergeBatches(failing(), { logs: 600, blocks: 100 })) seen.push(b.blocks.length);
    })(),
  ).rejects.toThrow('rpc gone');
  expect(seen).toEqual([1]);
});

it('cuts a batch at a block boundary at the maximum, and a head batch at the head', async () => {
  async function* fetched() {
    yield { blocks: [100, 250, 250].map((n) => ({ logs: new Array(n).fill(0) })), isHead: false };
    yield { blocks: [400, 100].map((n) => ({ logs: new Array(n).fill(0) })), isHead: true };
    yield batch(700); // a block larger than the maximum is a batch of its own
  }
  const out: { logs: number[]; isHead: boolean }[] = [];
  for await (const b of mergeBatches(fetched(), { logs: 600, blocks: 100 }))
    out.push({ logs: b.blocks.map((x) => x.logs.length), isHead: b.isHead });
  expect(out).toEqual([
    { logs: [100, 250, 250], isHead: false },
    { logs: [400, 100], isHead: true },
    { logs: [700], isHead: false },
  ]);
});

describe('densityIngest', () => {
  /** A chain whose block h holds logsAt(h) logs; records the ranges asked for. */
  const chain = (logsAt: (h: number) => number) => {
    const asked: [number, number][] = [];
    const getSplit = async (req: { range: { from: number; to: number } }) => {
      asked.push([req.range.from, req.range.to]);
      const blocks = [];
      for (let h = req.range.from; h <= req.range.to; h++) blocks.push({ h, logs: new Array(logsAt(h)).fill(0) });
      return blocks;
    };
    return { asked, getSplit };
  };
  const run = async (o: Parameters<typeof densityIngest<undefined, { h: number; logs: unknown[] }>>[0]) => {
    const out: { heights: number[]; isHead: boolean }[] = [];
    for await (const b of densityIngest(o)) out.push({ heights: b.blocks.map((x) => x.h), isHead: b.isHead });
    return out;
  };

  it('sizes each split by the density seen so far, within 1..maxBlocks, and ends at the head', async () => {
    // 10 logs per block up to 39, then 400 per block
    const c = chain((h) => (h < 40 ? 10 : 400));
    const out = await run({
      getFinalizedHeight: async () => 59,
      getSplit: c.getSplit,
      requests: [{ range: { from: 0 }, request: undefined }],
      targetLogs: 200,
      maxBlocks: 10,
      concurrency: 1,
      stopOnHead: true,
      pollMs: 1,
    });
    // every block exactly once, in order
    expect(out.flatMap((b) => b.heights)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(out.map((b) => b.isHead)).toEqual([...out.slice(1).map(() => false), true]);
    // first one block, then sparse splits at the cap, then (after the jump) single blocks
    expect(c.asked[0]).toEqual([0, 0]);
    expect(c.asked[1]).toEqual([1, 10]);
    expect(c.asked.at(-1)).toEqual([59, 59]);
    expect(c.asked.filter(([from]) => from >= 42).every(([from, to]) => from === to)).toBe(true);
  });

  it('waits for the finalized head to move on unless told to stop there', async () => {
    const c = chain(() => 1);
    let height = 2;
    const out = await (async () => {
      const got: number[] = [];
      for await (const b of densityIngest({
        getFinalizedHeight: async () => height++,
        getSplit: c.getSplit,
        requests: [{ range: { from: 0, to: 5 }, request: undefined }],
        targetLogs: 100,
        maxBlocks: 10,
        concurrency: 1,
        pollMs: 1,
      }))
        got.push(...b.blocks.map((x) => x.h));
      return got;
    })();
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c.asked.every(([from, to]) => to < from + 10 && to <= 5)).toBe(true);
  });

  it('keeps `concurrency` splits in flight and hands them over in order', async () => {
    let inFlight = 0;
    let most = 0;
    const asked: number[] = [];
    const getSplit = async (req: { range: { from: number; to: number } }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      asked.push(req.range.from);
      // later splits answer sooner
      await new Promise((r) => setTimeout(r, 30 - (req.range.from % 3) * 10));
      inFlight--;
      const blocks = [];
      for (let h = req.range.from; h <= req.range.to; h++) blocks.push({ h, logs: [0, 0] });
      return blocks;
    };
    const out = await run({
      getFinalizedHeight: async () => 29,
      getSplit,
      requests: [{ range: { from: 0 }, request: undefined }],
      targetLogs: 4,
      maxBlocks: 10,
      concurrency: 3,
      stopOnHead: true,
      pollMs: 1,
    });
    expect(out.flatMap((b) => b.heights)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(most).toBe(3);
    expect(asked.length).toBeGreaterThan(10);
  });
});
