// Markets, providers and jobs: the ComputeMarket's events.
import { Job, JobEvent, JobEventKind, JobState, Market, MarketKind, Provider } from '../../schema';
import { events } from '../abi/ComputeMarket';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import { type EventMeta, eventMeta } from './meta';

type Indexed = Exclude<keyof typeof events, 'OraclePriceSet'>;

export type MarketEvent = EventMeta &
  (
    | ({ event: 'MarketCreated' } & ReturnType<typeof events.MarketCreated.decode>)
    | ({ event: 'ProviderRegistered' } & ReturnType<typeof events.ProviderRegistered.decode>)
    | ({ event: 'JobPosted' } & ReturnType<typeof events.JobPosted.decode>)
    | ({ event: 'JobClaimed' } & ReturnType<typeof events.JobClaimed.decode>)
    | ({ event: 'JobCompleted' } & ReturnType<typeof events.JobCompleted.decode>)
  );

const INDEXED: Indexed[] = ['MarketCreated', 'ProviderRegistered', 'JobPosted', 'JobClaimed', 'JobCompleted'];
const TOPICS = Object.fromEntries(INDEXED.map((name) => [events[name].topic, name])) as Record<string, Indexed>;

/** The contract's JobKind enum order. */
const MARKET_KINDS = [MarketKind.RENDER, MarketKind.INFERENCE, MarketKind.TRAINING];

export function decodeMarket(address: string, block: Block, log: Log): MarketEvent | undefined {
  if (log.address !== address.toLowerCase()) return undefined;
  const kind = TOPICS[log.topics[0]];
  if (!kind) return undefined;
  return { event: kind, ...eventMeta(block, log), ...events[kind].decode(log) } as MarketEvent;
}

export async function prefetchMarket(ctx: ProcessorContext, state: BatchState, evs: MarketEvent[]): Promise<void> {
  const markets = new Set<string>();
  const providers = new Set<string>();
  const jobs = new Set<string>();
  for (const e of evs) {
    if (e.event === 'JobPosted') markets.add(String(e.marketId));
    if (e.event === 'JobClaimed' || e.event === 'JobCompleted') {
      jobs.add(e.jobId.toString());
      providers.add(e.provider.toLowerCase());
    }
  }
  await state.jobs.load(ctx.store, jobs);
  // A claimed job's market changes too (its open job count).
  for (const id of jobs) {
    const job = state.jobs.get(id);
    if (job) markets.add(job.market.id);
  }
  await state.markets.load(ctx.store, markets);
  await state.providers.load(ctx.store, providers);
}

export function applyMarket(state: BatchState, e: MarketEvent): void {
  switch (e.event) {
    case 'MarketCreated': {
      const kind = MARKET_KINDS[e.kind];
      if (kind === undefined) throw new Error(`market ${e.marketId} has unknown kind ${e.kind}`);
      state.markets.put(
        new Market({
          id: String(e.marketId),
          marketId: e.marketId,
          kind,
          tier: e.tier,
          name: e.name,
          usdPerUnit: e.usdPerUnit,
          jobCount: 0,
          openJobCount: 0,
          volume: 0n,
          createdAtBlock: e.block,
          createdAt: e.timestamp,
          updatedAtBlock: e.block,
        }),
      );
      return;
    }
    case 'ProviderRegistered': {
      const address = e.provider.toLowerCase();
      state.providers.put(
        new Provider({
          id: address,
          address,
          gpuModel: e.gpuModel,
          vramGb: e.vramGb,
          benchmarkScore: e.benchmarkScore,
          tier: e.tier,
          jobsClaimed: 0,
          jobsCompleted: 0,
          workUnits: 0n,
          registeredAtBlock: e.block,
          registeredAt: e.timestamp,
          updatedAtBlock: e.block,
        }),
      );
      return;
    }
    case 'JobPosted': {
      const market = state.markets.require(String(e.marketId), 'market');
      market.jobCount += 1;
      market.openJobCount += 1;
      market.volume += e.payment;
      market.updatedAtBlock = e.block;
      state.markets.put(market);
      const id = e.jobId.toString();
      state.jobs.put(
        new Job({
          id,
          jobId: Number(e.jobId),
          market,
          sender: e.sender.toLowerCase(),
          provider: null,
          state: JobState.POSTED,
          specHash: e.specHash,
          workEstimate: e.workEstimate,
          payment: e.payment,
          deadline: new Date(Number(e.deadline) * 1000),
          resultHash: null,
          workUnits: null,
          postedAtBlock: e.block,
          postedAt: e.timestamp,
          claimedAtBlock: null,
          completedAtBlock: null,
          updatedAtBlock: e.block,
        }),
      );
      jobEvent(state, e, id, JobEventKind.POSTED, e.sender);
      return;
    }
    case 'JobClaimed': {
      const id = e.jobId.toString();
      const job = state.jobs.require(id, 'job');
      const provider = state.providers.require(e.provider.toLowerCase(), 'provider');
      const market = state.markets.require(job.market.id, 'market');
      market.openJobCount -= 1;
      market.updatedAtBlock = e.block;
      state.markets.put(market);
      provider.jobsClaimed += 1;
      provider.updatedAtBlock = e.block;
      state.providers.put(provider);
      job.provider = provider;
      job.state = JobState.CLAIMED;
      job.claimedAtBlock = e.block;
      job.updatedAtBlock = e.block;
      state.jobs.put(job);
      jobEvent(state, e, id, JobEventKind.CLAIMED, e.provider);
      return;
    }
    case 'JobCompleted': {
      const id = e.jobId.toString();
      const job = state.jobs.require(id, 'job');
      const provider = state.providers.require(e.provider.toLowerCase(), 'provider');
      provider.jobsCompleted += 1;
      provider.workUnits += e.workUnits;
      provider.updatedAtBlock = e.block;
      state.providers.put(provider);
      job.state = JobState.COMPLETED;
      job.resultHash = e.resultHash;
      job.workUnits = e.workUnits;
      job.completedAtBlock = e.block;
      job.updatedAtBlock = e.block;
      state.jobs.put(job);
      jobEvent(state, e, id, JobEventKind.COMPLETED, e.provider);
      return;
    }
  }
}

function jobEvent(state: BatchState, e: EventMeta, jobId: string, kind: JobEventKind, actor: string): void {
  state.jobEvents.push(
    new JobEvent({
      id: e.id,
      job: new Job({ id: jobId }),
      kind,
      actor: actor.toLowerCase(),
      blockNumber: e.block,
      timestamp: e.timestamp,
      txHash: e.txHash,
    }),
  );
}
