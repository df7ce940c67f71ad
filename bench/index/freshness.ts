// Freshness in follow mode: from a block being mined to the indexer's NOTIFY for it, which Postgres
// delivers at the batch's commit, when its rows are queryable.
//
// "Mined" is the first moment the devnet serves the block: the head is polled every few ms while the
// transaction is sent. The answer to the transaction itself is no clock: anvil sends it only after
// post-block work that grows with the chain's state (seconds after a million events), while the block
// is already served and often already indexed.
import { Client } from 'pg';
import type { Address } from 'viem';
import { sleep } from './procs';
import { createProgress } from './progress';
import { blockNumber } from './rpc';

/** How often the head is polled while a block is being mined. */
const WATCH_MS = 2;

export interface Freshness {
  samplesMs: number[];
  p50: number;
  p95: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function measureFreshness(p: {
  databaseUrl: string;
  rpcUrl: string;
  blocks: number;
  head: number;
  mintOne: (to: Address) => Promise<void>;
}): Promise<Freshness> {
  const c = new Client({ connectionString: p.databaseUrl });
  await c.connect();
  let notified = -1;
  let notifiedAt = 0;
  let wake: (() => void) | undefined;
  c.on('notification', (n) => {
    if (n.channel !== 'gridmind_changes' || !n.payload) return;
    const block = (JSON.parse(n.payload) as { block: number }).block;
    if (block > notified) {
      notified = block;
      notifiedAt = performance.now();
    }
    wake?.();
  });
  await c.query('listen gridmind_changes');
  const samples: number[] = [];
  const bar = createProgress('freshness', p.blocks, 'blocks');
  let head = p.head;
  try {
    for (let i = 0; i < p.blocks; i++) {
      // A varying pause, so that blocks land at every phase of the indexer's head poll.
      await sleep(20 + ((i * 37) % 130));
      const to = `0x${(0xbe000 + (i % 50)).toString(16).padStart(40, '0')}` as Address;
      const block = ++head;
      const sent = p.mintOne(to);
      let failed: unknown;
      sent.catch((err: unknown) => {
        failed = err;
      });
      let mined: number | undefined;
      while (mined === undefined) {
        if (failed) throw failed;
        if ((await blockNumber(p.rpcUrl)) >= block) mined = performance.now();
        else await sleep(WATCH_MS);
      }
      await sent;
      const deadline = mined + 30_000;
      while (notified < block) {
        if (performance.now() > deadline) throw new Error(`no NOTIFY for block ${block} within 30 s`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
      }
      // A NOTIFY can beat the watcher's sighting by less than its poll interval: that counts as 0.
      samples.push(Math.max(0, notifiedAt - mined));
      bar.update(i + 1);
    }
  } finally {
    await c.end();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  bar.finish(`p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms`);
  return { samplesMs: samples, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN };
}
