// The backfill's ingest: what evm-processor's RPC data source fetches for finalized blocks, in splits
// sized by the chain's log density, merged into batches of a bounded number of logs, the next batch
// fetched while the current one is processed. (Hot blocks take evm-processor's own path.)
import type { EvmBatchProcessor } from '@subsquid/evm-processor';

export interface BatchOf<B> {
  blocks: B[];
  isHead: boolean;
}

interface Range {
  from: number;
  to?: number;
}
interface RangeRequest<R> {
  range: Range;
  request: R;
}
interface SplitRequest<R> {
  range: { from: number; to: number };
  request: R;
}

/** evm-processor's EvmRpcDataSource, as far as the backfill uses it (its members are not public API). */
interface RpcDataSource<B> {
  headPollInterval: number;
  getFinalizedHeight(): Promise<number>;
  getFinalizedBlocks(requests: RangeRequest<unknown>[], stopOnHead?: boolean): AsyncIterable<BatchOf<B>>;
  toMappingRequest(req: unknown): unknown;
  _getColdSplit(req: SplitRequest<unknown>): Promise<B[]>;
}

export interface BackfillLimits {
  /** A batch (one transaction) ends at this many logs (at a block boundary), `blocks` blocks, or the chain head. */
  logs: number;
  blocks: number;
}

/**
 * Replaces the RPC data source's finalized ingest. evm-processor fetches 10 blocks per request and
 * hands each split over as a batch; on a chain of thousands of logs per block that is a batch of
 * 30k+ logs, with two more such splits fetched ahead: most of the worker's memory. Here a split holds
 * about a quarter of a batch's logs and the batches are cut at `max.logs`.
 */
export function installBackfillIngest(p: EvmBatchProcessor, max: BackfillLimits, concurrency: number): void {
  const proc = p as unknown as { getHotDataSource(): RpcDataSource<{ logs: unknown[] }> };
  const create = proc.getHotDataSource.bind(p);
  let ds: RpcDataSource<{ logs: unknown[] }> | undefined;
  proc.getHotDataSource = () => {
    if (ds) return ds;
    const source = create();
    source.getFinalizedBlocks = (requests, stopOnHead) => {
      const splits = densityIngest({
        getFinalizedHeight: () => source.getFinalizedHeight(),
        getSplit: (req) => source._getColdSplit(req),
        requests: requests.map((r) => ({ range: r.range, request: source.toMappingRequest(r.request) })),
        targetLogs: Math.max(1, Math.floor(max.logs / 4)),
        maxBlocks: MAX_SPLIT_BLOCKS,
        // at most evm-processor's own 5: every split in flight is memory held
        concurrency: Math.min(5, concurrency),
        stopOnHead,
        pollMs: source.headPollInterval,
      });
      return mergeBatches(splits, max);
    };
    ds = source;
    return ds;
  };
}

/** evm-processor's own split size: a sparse chain is fetched as before. */
const MAX_SPLIT_BLOCKS = 10;

/**
 * Fetches the requested ranges up to the finalized head, `concurrency` splits in flight, handed over
 * in order. Each split is sized to hold about `targetLogs` logs at the density (logs per block) of
 * the splits fetched before it. At the head it stops (`stopOnHead`) or waits for the finalized height
 * to move on.
 */
export async function* densityIngest<R, B extends { logs: unknown[] }>(o: {
  getFinalizedHeight(): Promise<number>;
  getSplit(req: SplitRequest<R>): Promise<B[]>;
  requests: RangeRequest<R>[];
  targetLogs: number;
  maxBlocks: number;
  concurrency: number;
  stopOnHead?: boolean;
  pollMs: number;
}): AsyncIterable<BatchOf<B>> {
  let top = await o.getFinalizedHeight();
  let density = 0; // logs per block, smoothed; 0 until a split has been seen
  const inFlight: { to: number; blocks: Promise<B[]> }[] = [];
  for (const req of o.requests) {
    let from = req.range.from;
    const end = req.range.to ?? Number.POSITIVE_INFINITY;
    while (from <= end || inFlight.length > 0) {
      while (inFlight.length < o.concurrency && from <= end && from <= top) {
        const size = density === 0 ? 1 : Math.max(1, Math.min(o.maxBlocks, Math.floor(o.targetLogs / density)));
        const to = Math.min(top, end, from + size - 1);
        const blocks = o.getSplit({ range: { from, to }, request: req.request });
        blocks.catch(() => {}); // seen when its turn comes
        inFlight.push({ to, blocks });
        from = to + 1;
      }
      const next = inFlight.shift();
      if (!next) {
        if (o.stopOnHead) return;
        await new Promise((r) => setTimeout(r, o.pollMs));
        top = await o.getFinalizedHeight();
        continue;
      }
      const blocks = await next.blocks;
      let logs = 0;
      for (const b of blocks) logs += b.logs.length;
      const seen = Math.max(logs / Math.max(1, blocks.length), 1e-3);
      density = density === 0 ? seen : 0.5 * density + 0.5 * seen;
      if (next.to >= top) top = await o.getFinalizedHeight();
      yield { blocks, isHead: next.to >= top };
    }
  }
}

/** Resolves the waiters of the moment when something changes. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
  fire(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

/** Resolves after the pending I/O callbacks: whatever the ingest has already fetched is in by then. */
const afterPendingIo = () => new Promise<void>((r) => setImmediate(r));

/**
 * Cuts the ingest's splits into batches of at most `max.logs` logs (a block is never cut; a block
 * larger than that is a batch of its own) or `max.blocks` blocks; a batch that reaches the chain head
 * is handed over at once. While a batch is processed, the next one (up to `max.logs`) is fetched. A
 * batch of at least `max.logs / 6` logs is handed over as soon as the processing asks for it, with
 * what has been fetched by then: the processing never waits on the RPC node while work is there.
 */
export async function* mergeBatches<B extends { logs: unknown[] }>(
  src: AsyncIterable<BatchOf<B>>,
  max: BackfillLimits,
): AsyncIterable<BatchOf<B>> {
  const it = src[Symbol.asyncIterator]();
  const minLogs = Math.ceil(max.logs / 6);
  // Fetched blocks, oldest first; `headEnd` marks the last block of a split that reached the head.
  const queue: { block: B; headEnd: boolean }[] = [];
  let queuedLogs = 0;
  let heads = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let closed = false;
  const arrived = new Signal();
  const taken = new Signal();

  const pump = async () => {
    try {
      while (!closed) {
        if (queuedLogs >= max.logs) {
          await taken.wait();
          continue;
        }
        const r = await it.next();
        if (r.done) break;
        r.value.blocks.forEach((block, i) => {
          const headEnd = r.value.isHead && i === r.value.blocks.length - 1;
          queue.push({ block, headEnd });
          queuedLogs += block.logs.length;
          if (headEnd) heads++;
        });
        arrived.fire();
      }
    } catch (error) {
      failure = { error };
    }
    done = true;
    arrived.fire();
  };
  void pump();

  try {
    for (;;) {
      while (!failure && !done && heads === 0 && queuedLogs < minLogs && queue.length < max.blocks) await arrived.wait();
      if (failure) throw failure.error;
      if (queue.length === 0) return;
      if (heads === 0 && !done && queuedLogs < max.logs) await afterPendingIo();
      const blocks: B[] = [];
      let logs = 0;
      let isHead = false;
      while (queue.length > 0 && blocks.length < max.blocks) {
        const next = queue[0]!;
        const n = next.block.logs.length;
        if (blocks.length > 0 && logs + n > max.logs) break;
        queue.shift();
        queuedLogs -= n;
        blocks.push(next.block);
        logs += n;
        if (next.headEnd) {
          heads--;
          isHead = true;
          break;
        }
      }
      taken.fire();
      yield { blocks, isHead };
    }
  } finally {
    // Not awaited: the pump may be waiting on a request or for the head; what it gets is dropped.
    closed = true;
    taken.fire();
  }
}
