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
  return { id: log.id, block: block.height, timestamp: blockTime(block), txHash: log.transactionHash };
}

let lastBlock: Block | undefined;
let lastTime: Date | undefined;

/** The block's time, one Date per block for all its events (nothing changes a Date once made). */
export function blockTime(block: Block): Date {
  if (block !== lastBlock || !lastTime) {
    lastBlock = block;
    lastTime = new Date(block.timestamp);
  }
  return lastTime;
}
