// Freshness in follow mode: from a block being mined (the devnet answers a transaction only once its
// block is mined) to the indexer's NOTIFY for it, which Postgres delivers at the batch's commit, when
// its rows are queryable.
import { Client } from 'pg';
import type { Address } from 'viem';
import { sleep } from './procs';
import { createProgress } from './progress';

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
  blocks: number;
  head: number;
  mintOne: (to: Address) => Promise<void>;
}): Promise<Freshness> {
  const c = new Client({ connectionString: p.databaseUrl });
  await c.connect();
  let notified = -1;
  let wake: (() => void) | undefined;
  c.on('notification', (n) => {
    if (n.channel !== 'gridmind_changes' || !n.payload) return;
    notified = Math.max(notified, (JSON.parse(n.payload) as { block: number }).block);
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
      await p.mintOne(to);
      const mined = performance.now();
      const block = ++head;
      const deadline = mined + 30_000;
      while (notified < block) {
        if (performance.now() > deadline) throw new Error(`no NOTIFY for block ${block} within 30 s`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
      }
      samples.push(performance.now() - mined);
      bar.update(i + 1);
    }
  } finally {
    await c.end();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  bar.finish(`p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms`);
  return { samplesMs: samples, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN };
}
