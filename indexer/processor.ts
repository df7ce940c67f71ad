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

export function createProcessor(opts: { rpcUrl: string; rateLimit: number; finality: number; headPollMs: number; fromBlock: number }) {
  return new EvmBatchProcessor()
    .setRpcEndpoint({ url: opts.rpcUrl, rateLimit: opts.rateLimit, requestTimeout: 10_000 })
    .setFinalityConfirmation(opts.finality)
    .setRpcDataIngestionSettings({ headPollInterval: opts.headPollMs })
    .setBlockRange({ from: opts.fromBlock })
    .setFields(FIELDS);
}

export type Processor = ReturnType<typeof createProcessor>;
export type Fields = EvmBatchProcessorFields<Processor>;
export type Block = BlockHeader<Fields>;
export type Log = _Log<Fields>;
export type ProcessorContext = DataHandlerContext<Store, Fields>;
