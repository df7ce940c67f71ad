import { mergeBatches } from './processor';

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
