// Composes the handler families into the batch handler: decode every log of the batch, load what the
// batch touches (one query per entity type), apply the events in chain order, write once per type.
import { applyMarket, decodeMarket, type MarketEvent, prefetchMarket, setupMarket } from './families/market';
import { applyRegistry, decodeRegistry, prefetchRegistry, type RegistryEvent, setupRegistry } from './families/registry';
import { notifyChanges } from './notify';
import type { Processor, ProcessorContext } from './processor';
import { BatchState } from './state';

export interface IndexedContracts {
  registry: string;
  market: string;
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

export function setupFamilies(p: Processor, contracts: IndexedContracts): void {
  setupRegistry(p, contracts.registry);
  setupMarket(p, contracts.market);
}

export function createBatchHandler(contracts: IndexedContracts, onBatch?: (s: BatchStats) => void) {
  return async (ctx: ProcessorContext): Promise<void> => {
    const t0 = performance.now();
    const ordered: ({ family: 'registry'; e: RegistryEvent } | { family: 'market'; e: MarketEvent })[] = [];
    const registry: RegistryEvent[] = [];
    const market: MarketEvent[] = [];
    for (const block of ctx.blocks) {
      for (const log of block.logs) {
        try {
          const r = decodeRegistry(contracts.registry, block.header, log);
          if (r) {
            registry.push(r);
            ordered.push({ family: 'registry', e: r });
            continue;
          }
          const m = decodeMarket(contracts.market, block.header, log);
          if (m) {
            market.push(m);
            ordered.push({ family: 'market', e: m });
          }
        } catch (err) {
          throw new Error(`cannot decode log ${log.logIndex} of block ${block.header.height} (tx ${log.transactionHash})`, {
            cause: err,
          });
        }
      }
    }
    const state = new BatchState();
    await prefetchRegistry(ctx, state, registry);
    await prefetchMarket(ctx, state, market);
    for (const x of ordered) {
      if (x.family === 'registry') applyRegistry(state, x.e);
      else applyMarket(state, x.e);
    }
    const changes = await state.flush(ctx.store);
    const first = ctx.blocks[0]?.header.height ?? -1;
    const height = ctx.blocks[ctx.blocks.length - 1]?.header.height ?? -1;
    await notifyChanges(ctx.store, height, changes);
    onBatch?.({
      from: first,
      height,
      blocks: ctx.blocks.length,
      events: ordered.length,
      rows: Object.values(changes).reduce((n, ids) => n + ids.length, 0),
      isHead: ctx.isHead,
      ms: performance.now() - t0,
    });
  };
}
