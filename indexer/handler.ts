// Composes the handler families into the batch handler: decode every log of the batch, load what the
// batch touches (one query per entity type), apply the events in chain order, write once per type.
import { applyChainEvent, buildEventDecoders, type DecodedLog, decodeLog, toChainEvent } from './families/events';
import { applyLedger, decodeLedger, prefetchLedger } from './families/ledger';
import { applyMarket, decodeMarket, prefetchMarket } from './families/market';
import { applyRegistry, decodeRegistry, prefetchRegistry } from './families/registry';
import { applyToken, decodeToken, prefetchToken } from './families/token';
import { notifyChanges } from './notify';
import type { Block, Log, Processor, ProcessorContext } from './processor';
import { BatchState } from './state';

/** The deployment's contracts by role; the indexer reads every log of each. */
export interface IndexedContracts {
  token: string;
  registry: string;
  market: string;
  [role: string]: string;
}

export interface BatchStats {
  from: number;
  height: number;
  blocks: number;
  events: number;
  rows: number;
  isHead: boolean;
  ms: number;
}

/** A handler family: its events, what they need loaded, and how they change the state. */
interface Family<E> {
  decode(d: DecodedLog, block: Block, log: Log): E | undefined;
  prefetch(ctx: ProcessorContext, state: BatchState, events: E[]): Promise<void>;
  apply(state: BatchState, event: E): void;
}

/** Each family picks its own contract's events from the logs decoded once (families/events.ts). */
const FAMILIES = [
  { decode: decodeToken, prefetch: prefetchToken, apply: applyToken },
  { decode: decodeRegistry, prefetch: prefetchRegistry, apply: applyRegistry },
  { decode: decodeLedger, prefetch: prefetchLedger, apply: applyLedger },
  { decode: decodeMarket, prefetch: prefetchMarket, apply: applyMarket },
] as Family<unknown>[];

export function setupFamilies(p: Processor, contracts: IndexedContracts): void {
  p.addLog({ address: Object.values(contracts).map((a) => a.toLowerCase()) });
}

export function createBatchHandler(contracts: IndexedContracts, onBatch?: (s: BatchStats) => void) {
  const fams = FAMILIES;
  const decoders = buildEventDecoders(contracts);
  return async (ctx: ProcessorContext): Promise<void> => {
    const t0 = performance.now();
    const perFamily: unknown[][] = fams.map(() => []);
    const ordered: { family: number; e: unknown }[] = [];
    const state = new BatchState();
    let events = 0;
    for (const block of ctx.blocks) {
      for (const log of block.logs) {
        try {
          const decoded = decodeLog(decoders, log);
          if (!decoded) continue;
          events++;
          applyChainEvent(state, toChainEvent(decoded, block.header, log));
          for (let f = 0; f < fams.length; f++) {
            const e = fams[f].decode(decoded, block.header, log);
            if (e === undefined) continue;
            perFamily[f].push(e);
            ordered.push({ family: f, e });
            break;
          }
        } catch (err) {
          throw new Error(`cannot decode log ${log.logIndex} of block ${block.header.height} (tx ${log.transactionHash})`, { cause: err });
        }
      }
    }
    for (let f = 0; f < fams.length; f++) await fams[f].prefetch(ctx, state, perFamily[f]);
    for (const x of ordered) fams[x.family].apply(state, x.e);
    const changes = await state.flush(ctx.store);
    const first = ctx.blocks[0]?.header.height ?? -1;
    const height = ctx.blocks[ctx.blocks.length - 1]?.header.height ?? -1;
    await notifyChanges(ctx.store, height, changes, !ctx.isHead);
    onBatch?.({
      from: first,
      height,
      blocks: ctx.blocks.length,
      events,
      rows: Object.values(changes).reduce((n, ids) => n + ids.length, 0) + events,
      isHead: ctx.isHead,
      ms: performance.now() - t0,
    });
  };
}
