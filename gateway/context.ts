// What each GraphQL request gets: its Store (per-request loaders), a loader of provider scores
// (one /score call per request) and the shared clients for `_meta`.
import DataLoader from 'dataloader';
import type { ChainHeadClient } from './chain';
import type { ChangeFeed } from './changes';
import { InferenceUnavailableError } from './errors';
import type { InferenceClient, ProviderScore } from './inference';
import type { MutationService } from './mutations/service';
import { createStore, type QueryFn, type Store } from './store';

export interface IndexedHeights {
  block: number | null;
  finalizedBlock: number | null;
}

/** Long-lived dependencies shared by all requests of one gateway. */
export interface GatewayServices {
  query: QueryFn;
  chain?: ChainHeadClient;
  inference?: InferenceClient;
  /** Execution provider reported by the inference service's /health (cached), null if unknown. */
  executionProvider(): Promise<string | null>;
  /** What the indexer changed, batch by batch (subscriptions); absent when not serving. */
  changes?: ChangeFeed;
  /** Signed mutations (typed data and relaying); absent without a chain and a deployment. */
  mutations?: MutationService;
}

export interface GatewayContext {
  services: GatewayServices;
  store: Store;
  /** Score of a provider by lowercase address; null if the service does not know it. */
  scores: DataLoader<string, ProviderScore | null>;
  /** The client's IP address (per-IP limits of mutations); absent in-process unless given. */
  clientIp?: string;
}

function createScores(services: GatewayServices): DataLoader<string, ProviderScore | null> {
  return new DataLoader<string, ProviderScore | null>(
    async (addresses) => {
      if (!services.inference) throw new InferenceUnavailableError('INFERENCE_URL is not configured');
      const scores = await services.inference.score(addresses);
      return addresses.map((a) => scores.get(a) ?? null);
    },
    { maxBatchSize: 1000 },
  );
}

export function createContext(services: GatewayServices, clientIp?: string): GatewayContext {
  return { services, store: createStore(services.query), scores: createScores(services), clientIp };
}

/**
 * Fresh loaders for the next event of a subscription: one context serves the whole subscription,
 * and cached rows from an earlier event would be stale.
 */
export function renewContext(ctx: GatewayContext): void {
  ctx.store = createStore(ctx.services.query);
  ctx.scores = createScores(ctx.services);
}

/**
 * Indexed heights from Subsquid's processor state: the head is the highest hot (unfinalized) block,
 * else the last finalized one. Before the processor first runs its schema does not exist: nulls.
 */
export async function readIndexedHeights(query: QueryFn): Promise<IndexedHeights> {
  try {
    const [row] = await query(
      `SELECT (SELECT "height" FROM "squid_processor"."status" WHERE "id" = 0) AS "finalized",
              (SELECT max("height") FROM "squid_processor"."hot_block") AS "hot"`,
      [],
    );
    // The processor writes height -1 before it has processed any block.
    const finalized = typeof row?.finalized === 'number' && row.finalized >= 0 ? row.finalized : null;
    const hot = typeof row?.hot === 'number' ? row.hot : null;
    return { block: hot ?? finalized, finalizedBlock: finalized };
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 42P01 undefined_table, 3F000 invalid_schema_name
    if (code === '42P01' || code === '3F000') return { block: null, finalizedBlock: null };
    throw err;
  }
}
