// The Subsquid processor and the types every handler family shares.
import {
  type Log as _Log,
  type BlockHeader,
  type DataHandlerContext,
  EvmBatchProcessor,
  type EvmBatchProcessorFields,
} from '@subsquid/evm-processor';
import type { Store } from '@subsquid/typeorm-store';
import { installBackfillIngest } from './ingest';

export const FIELDS = {
  block: { timestamp: true },
  log: { transactionHash: true },
} as const;

export function createProcessor(opts: {
  rpcUrl: string;
  rateLimit: number;
  /** RPC requests in flight at once; the backfill has as many splits in flight (at most 5). */
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
  installBackfillIngest(p, { logs: opts.batchLogs, blocks: 2_000 }, opts.capacity);
  return p;
}

export type Processor = ReturnType<typeof createProcessor>;
export type Fields = EvmBatchProcessorFields<Processor>;
export type Block = BlockHeader<Fields>;
export type Log = _Log<Fields>;
export type ProcessorContext = DataHandlerContext<Store, Fields>;
