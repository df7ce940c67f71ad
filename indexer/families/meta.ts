import type { Block, Log } from '../processor';

/** Where a chain event happened: what every indexed event row records. */
export interface EventMeta {
  /** Subsquid's log id: block height, block hash prefix and log index; unique and sortable. */
  id: string;
  block: number;
  timestamp: Date;
  txHash: string;
}

export function eventMeta(block: Block, log: Log): EventMeta {
  return { id: log.id, block: block.height, timestamp: new Date(block.timestamp), txHash: log.transactionHash };
}
