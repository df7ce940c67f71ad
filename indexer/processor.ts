// The Subsquid processor and the types every handler family shares.
import {
  type Log as _Log,
  type BlockHeader,
  type DataHandlerContext,
  EvmBatchProcessor,
  type EvmBatchProcessorFields,
} from '@subsquid/evm-processor';
import type { Store } from '@subsquid/typeorm-store';

export const FIELDS = {
  block: { timestamp: true },
  log: { transactionHash: true },
} as const;

export function createProcessor(opts: {
  rpcUrl: string;
  rateLimit: number;
  /** RPC requests in flight at once (Subsquid's backfill uses at most 5). */
  capacity: number;
  finality: number;
  headPollMs: number;
  fromBlock: number;
  /** A backfill batch (one transaction) ends at this many logs, 2,000 blocks, or the chain head. */
  batchLogs: number;
}) {
  const p = new EvmBatchProcessor()
    .setRpcEndpoint({ url: opts.rpcUrl, rateLimit: opts.rateLimit, capacity: opts.capacity, requestTimeout: 10_000 })
    .setFinalityConfirmation(opts.finality)
    .setRpcDataIngestionSettings({ headPollInterval: opts.headPollMs })
    .setBlockRange({ from: opts.fromBlock })
    .setFields(FIELDS);
  mergeFinalizedBatches(p, { logs: opts.batchLogs, blocks: 2_000 });
  return p;
}

interface BatchOf<B> {
  blocks: B[];
  isHead: boolean;
}
interface FinalizedSource<B> {
  getFinalizedBlocks(requests: unknown, stopOnHead?: boolean): AsyncIterable<BatchOf<B>>;
}

/**
 * evm-processor's RPC ingest hands the finalized range over in 10-block batches, each its own
 * transaction with its own fixed costs (status reads and update, one query per entity type loaded, one
 * statement per type written). Backfill batches are merged here up to `max` instead; a batch
 * that reaches the chain head is handed over at once. (Hot blocks take another path, block by block.)
 */
function mergeFinalizedBatches(p: EvmBatchProcessor, max: { logs: number; blocks: number }): void {
  const proc = p as unknown as { getHotDataSource(): FinalizedSource<{ logs: unknown[] }> };
  const create = proc.getHotDataSource.bind(p);
  let ds: FinalizedSource<{ logs: unknown[] }> | undefined;
  proc.getHotDataSource = () => {
    if (ds) return ds;
    const source = create();
    const finalized = source.getFinalizedBlocks.bind(source);
    source.getFinalizedBlocks = (requests, stopOnHead) => mergeBatches(finalized(requests, stopOnHead), max);
    ds = source;
    return ds;
  };
}

const NOT_READY = Symbol('not ready');
/** Resolves after the pending I/O callbacks: whatever the ingest has already fetched is in by then. */
const afterPendingIo = () => new Promise<typeof NOT_READY>((r) => setImmediate(() => r(NOT_READY)));

/**
 * Merges the ingest's batches up to `max` logs or blocks. A batch of at least `max.logs / 6` logs is
 * also handed over as soon as the ingest has nothing more fetched yet: the processing then never
 * waits on the RPC node (a Hardhat node serves some 20k logs/s) while it holds work, as it would for
 * the whole first batch; when the processing is the slower side, the fetched batches pile up and
 * the merged ones reach `max`.
 */
export async function* mergeBatches<B extends { logs: unknown[] }>(
  src: AsyncIterable<BatchOf<B>>,
  max: { logs: number; blocks: number },
): AsyncIterable<BatchOf<B>> {
  const it = src[Symbol.asyncIterator]();
  const minLogs = Math.ceil(max.logs / 6);
  let blocks: B[] = [];
  let logs = 0;
  let isHead = false;
  let next = it.next();
  for (;;) {
    // Pending while the merged batch is handed over: its failure is seen at the next await.
    next.catch(() => {});
    const r = logs >= minLogs ? await Promise.race([next, afterPendingIo()]) : await next;
    if (r === NOT_READY) {
      yield { blocks, isHead };
      blocks = [];
      logs = 0;
      continue;
    }
    if (r.done) break;
    next = it.next();
    const b = r.value;
    for (const block of b.blocks) {
      blocks.push(block);
      logs += block.logs.length;
    }
    isHead = b.isHead;
    if (isHead || logs >= max.logs || blocks.length >= max.blocks) {
      yield { blocks, isHead };
      blocks = [];
      logs = 0;
    }
  }
  if (blocks.length) yield { blocks, isHead };
}

export type Processor = ReturnType<typeof createProcessor>;
export type Fields = EvmBatchProcessorFields<Processor>;
export type Block = BlockHeader<Fields>;
export type Log = _Log<Fields>;
export type ProcessorContext = DataHandlerContext<Store, Fields>;
