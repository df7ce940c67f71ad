// Markets, providers, jobs and burn-mint-equilibrium: the ComputeMarket's events, with the per-hour,
// per-day and per-epoch market statistics and the per-epoch provider records kept as they happen.
import {
  Job,
  JobEvent,
  JobEventKind,
  JobState,
  Market,
  MarketEpoch,
  MarketKind,
  MarketStat,
  Provider,
  ProviderEpoch,
  StatPeriod,
} from '../../schema';
import type { events } from '../abi/ComputeMarket';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import type { DecodedLog } from './events';
import { type EventMeta, eventMeta } from './meta';
import { closeSupplyEpoch, openSupplyEpoch, prefetchSupply } from './token';

type Decoded<K extends keyof typeof events> = ReturnType<(typeof events)[K]['decode']>;
const HANDLED = [
  'MarketCreated',
  'MarketPriceSet',
  'MarketRequirementsSet',
  'MarketParamsSet',
  'ProviderRegistered',
  'ProviderUpdated',
  'ProviderHeartbeat',
  'ProviderAvailabilityForfeited',
  'JobPosted',
  'JobClaimed',
  'JobCompleted',
  'JobApproved',
  'JobRejected',
  'JobReassigned',
  'JobQuarantined',
  'JobCancelled',
  'JobExpired',
  'JobRefunded',
  'JobSettled',
  'MarketEpochClosed',
  'MarketEpochAvailability',
  'ProviderRewarded',
] as const;
type Handled = (typeof HANDLED)[number];
const HANDLED_NAMES = new Set<string>(HANDLED);

export type MarketEvent = EventMeta & { [K in Handled]: { event: K } & Decoded<K> }[Handled];

/** The contract's JobKind enum order. */
const MARKET_KINDS = [MarketKind.RENDER, MarketKind.INFERENCE, MarketKind.TRAINING];
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Work is counted in thousandths of a unit. */
const WORK_SCALE = 1000n;

/**
 * The average price of jobs posted: token base units per whole work unit, rounded down; null
 * without work (the contract refuses a job without work, so: without jobs).
 * @example averagePrice(3_000n, 2_500n) // 1200n: 3000 base units for 2.5 units of work
 */
export function averagePrice(volume: bigint, workEstimated: bigint): bigint | null {
  return workEstimated > 0n ? (volume * WORK_SCALE) / workEstimated : null;
}

export function decodeMarket(d: DecodedLog, block: Block, log: Log): MarketEvent | undefined {
  if (d.contract !== 'market' || !HANDLED_NAMES.has(d.name)) return undefined;
  return { event: d.name, ...eventMeta(block, log), ...d.args } as MarketEvent;
}

const jobId = (e: { jobId: bigint }) => e.jobId.toString();
const marketEpochId = (marketId: string, epoch: bigint | number) => `${marketId}-${epoch}`;
const providerEpochId = (provider: string, marketId: number, epoch: bigint | number) => `${provider.toLowerCase()}-${marketId}-${epoch}`;

export function statIds(marketId: string, t: Date): string[] {
  return [statId(marketId, StatPeriod.HOUR, t), statId(marketId, StatPeriod.DAY, t)];
}
function periodStart(period: StatPeriod, t: Date): Date {
  const ms = period === StatPeriod.HOUR ? HOUR_MS : DAY_MS;
  return new Date(Math.floor(t.getTime() / ms) * ms);
}
function statId(marketId: string, period: StatPeriod, t: Date): string {
  return `${marketId}-${period}-${periodStart(period, t).toISOString()}`;
}

export async function prefetchMarket(ctx: ProcessorContext, state: BatchState, evs: MarketEvent[]): Promise<void> {
  if (evs.length === 0) return;
  const jobs = new Set<string>();
  const providers = new Set<string>();
  for (const e of evs) {
    if ('jobId' in e && e.event !== 'JobPosted') jobs.add(jobId(e));
    if ('provider' in e) providers.add(e.provider.toLowerCase());
  }
  await state.jobs.load(ctx.store, jobs);
  // Job events name no market: the jobs (loaded first, or posted in this batch) tell which markets
  // and epochs they touch; their providers are loaded too.
  const postedHere = new Map<string, string>();
  for (const e of evs) if (e.event === 'JobPosted') postedHere.set(jobId(e), String(e.marketId));
  for (const id of jobs) {
    const p = state.jobs.get(id)?.provider;
    if (p) providers.add(p.id);
  }
  const marketOf = (e: MarketEvent): string | undefined =>
    'marketId' in e ? String(e.marketId) : 'jobId' in e ? (state.jobs.get(jobId(e))?.market.id ?? postedHere.get(jobId(e))) : undefined;
  const markets = new Set<string>();
  const stats = new Set<string>();
  const epochs = new Set<string>();
  const providerEpochs = new Set<string>();
  for (const e of evs) {
    const m = marketOf(e);
    if (m === undefined) continue;
    markets.add(m);
    for (const id of statIds(m, e.timestamp)) stats.add(id);
    if (
      e.event === 'MarketEpochClosed' ||
      e.event === 'MarketEpochAvailability' ||
      e.event === 'ProviderRewarded' ||
      e.event === 'JobSettled'
    ) {
      epochs.add(marketEpochId(m, e.epoch));
    }
    if (
      e.event === 'ProviderRewarded' ||
      e.event === 'ProviderHeartbeat' ||
      e.event === 'ProviderAvailabilityForfeited' ||
      e.event === 'JobSettled'
    ) {
      providerEpochs.add(providerEpochId(e.provider, Number(m), e.epoch));
    }
  }
  await state.markets.load(ctx.store, markets);
  // The epoch each market has open: its row exists from the moment it opened (a market created in
  // this batch is not loaded, and opens its first epoch here).
  for (const m of markets) {
    const market = state.markets.get(m);
    if (market) epochs.add(marketEpochId(m, market.epochCount));
  }
  if (evs.some((e) => e.event === 'MarketCreated' || e.event === 'MarketEpochClosed')) await prefetchSupply(ctx, state);
  await state.marketStats.load(ctx.store, stats);
  await state.marketEpochs.load(ctx.store, epochs);
  await state.providers.load(ctx.store, providers);
  await state.providerEpochs.load(ctx.store, providerEpochs);
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
          minVramGb: null,
          reviewWindow: null,
          epochBlocks: null,
          workEmission: null,
          availabilityEmission: null,
          approvedJobCount: 0,
          burned: 0n,
          fees: 0n,
          refunded: 0n,
          minted: 0n,
          epochCount: 0,
        }),
      );
      openEpoch(state, String(e.marketId), 0, e);
      return;
    }
    case 'MarketPriceSet': {
      updateMarket(state, e.marketId, e.block, { usdPerUnit: e.usdPerUnit });
      // A period's price is the one at its end: the period in progress takes the new price even when
      // no job follows in it. A period without a row had no activity, and gets none for a price.
      for (const id of statIds(String(e.marketId), e.timestamp)) {
        const stat = state.marketStats.get(id);
        if (stat) {
          stat.usdPerUnit = e.usdPerUnit;
          state.marketStats.put(stat);
        }
      }
      const epoch = openMarketEpoch(state, String(e.marketId));
      epoch.usdPerUnit = e.usdPerUnit;
      touchEpoch(state, epoch, e);
      return;
    }
    case 'MarketRequirementsSet':
      updateMarket(state, e.marketId, e.block, { minVramGb: e.minVramGb });
      return;
    case 'MarketParamsSet':
      updateMarket(state, e.marketId, e.block, {
        reviewWindow: e.reviewWindow,
        epochBlocks: e.epochBlocks,
        workEmission: e.workEmission,
        availabilityEmission: e.availabilityEmission,
      });
      return;
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
          jobsApproved: 0,
          jobsRejected: 0,
          approvedWorkUnits: 0n,
          workRewards: 0n,
          availabilityRewards: 0n,
          earnings: 0n,
          successRate: null,
        }),
      );
      return;
    }
    case 'ProviderUpdated': {
      const p = state.providers.require(e.provider.toLowerCase(), 'provider');
      Object.assign(p, { gpuModel: e.gpuModel, vramGb: e.vramGb, benchmarkScore: e.benchmarkScore, tier: e.tier, updatedAtBlock: e.block });
      state.providers.put(p);
      return;
    }
    case 'ProviderHeartbeat':
    case 'ProviderAvailabilityForfeited': {
      const pe = providerEpoch(state, e.provider, e.marketId, e.epoch);
      pe.available = e.event === 'ProviderHeartbeat';
      state.providerEpochs.put(pe);
      return;
    }
    case 'JobPosted': {
      const market = state.markets.require(String(e.marketId), 'market');
      market.jobCount += 1;
      market.openJobCount += 1;
      market.volume += e.payment;
      market.updatedAtBlock = e.block;
      state.markets.put(market);
      const epoch = openMarketEpoch(state, market.id);
      for (const s of [...stats(state, market, e.timestamp), epoch]) {
        s.jobsPosted += 1;
        s.volume += e.payment;
        s.workEstimated += e.workEstimate;
        s.avgPricePerUnit = averagePrice(s.volume, s.workEstimated);
      }
      touchEpoch(state, epoch, e);
      const id = jobId(e);
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
          failures: 0,
          approvedAtBlock: null,
          autoApproved: null,
          approvedBy: null,
          burned: null,
          fee: null,
          settledEpoch: null,
          refunded: null,
        }),
      );
      jobEvent(state, e, id, JobEventKind.POSTED, e.sender);
      return;
    }
    case 'JobClaimed': {
      const job = state.jobs.require(jobId(e), 'job');
      const provider = state.providers.require(e.provider.toLowerCase(), 'provider');
      changeMarket(state, job, e.block, (m) => {
        m.openJobCount -= 1;
      });
      provider.jobsClaimed += 1;
      provider.updatedAtBlock = e.block;
      state.providers.put(provider);
      Object.assign(job, {
        provider,
        state: JobState.CLAIMED,
        claimedAtBlock: e.block,
        completedAtBlock: null,
        resultHash: null,
        workUnits: null,
      });
      putJob(state, job, e.block);
      jobEvent(state, e, job.id, JobEventKind.CLAIMED, e.provider);
      return;
    }
    case 'JobCompleted': {
      const job = state.jobs.require(jobId(e), 'job');
      const provider = state.providers.require(e.provider.toLowerCase(), 'provider');
      provider.jobsCompleted += 1;
      provider.workUnits += e.workUnits;
      provider.updatedAtBlock = e.block;
      state.providers.put(provider);
      Object.assign(job, { state: JobState.COMPLETED, resultHash: e.resultHash, workUnits: e.workUnits, completedAtBlock: e.block });
      putJob(state, job, e.block);
      jobEvent(state, e, job.id, JobEventKind.COMPLETED, e.provider);
      return;
    }
    case 'JobApproved': {
      const job = state.jobs.require(jobId(e), 'job');
      Object.assign(job, { state: JobState.APPROVED, approvedAtBlock: e.block, autoApproved: e.automatic, approvedBy: e.by.toLowerCase() });
      putJob(state, job, e.block);
      changeMarket(state, job, e.block, (m) => {
        m.approvedJobCount += 1;
      });
      for (const s of stats(state, job.market, e.timestamp)) s.jobsApproved += 1;
      if (job.provider) {
        const p = state.providers.require(job.provider.id, 'provider');
        p.jobsApproved += 1;
        p.updatedAtBlock = e.block;
        p.successRate = p.jobsApproved / (p.jobsApproved + p.jobsRejected);
        state.providers.put(p);
      }
      jobEvent(state, e, job.id, JobEventKind.APPROVED, e.by);
      return;
    }
    case 'JobRejected': {
      const job = state.jobs.require(jobId(e), 'job');
      job.failures = e.failures;
      putJob(state, job, e.block);
      const p = state.providers.require(e.provider.toLowerCase(), 'provider');
      p.jobsRejected += 1;
      p.updatedAtBlock = e.block;
      p.successRate = p.jobsApproved / (p.jobsApproved + p.jobsRejected);
      state.providers.put(p);
      jobEvent(state, e, job.id, JobEventKind.REJECTED, e.by);
      return;
    }
    case 'JobReassigned': {
      // Back in the queue for another provider.
      const job = state.jobs.require(jobId(e), 'job');
      Object.assign(job, { state: JobState.POSTED, provider: null, failures: e.failures, claimedAtBlock: null, completedAtBlock: null });
      putJob(state, job, e.block);
      changeMarket(state, job, e.block, (m) => {
        m.openJobCount += 1;
      });
      jobEvent(state, e, job.id, JobEventKind.REASSIGNED, job.sender);
      return;
    }
    case 'JobQuarantined':
    case 'JobCancelled':
    case 'JobExpired': {
      const job = state.jobs.require(jobId(e), 'job');
      const [next, kind] =
        e.event === 'JobQuarantined'
          ? [JobState.QUARANTINED, JobEventKind.QUARANTINED]
          : e.event === 'JobCancelled'
            ? [JobState.CANCELLED, JobEventKind.CANCELLED]
            : [JobState.EXPIRED, JobEventKind.EXPIRED];
      if (job.state === JobState.POSTED) {
        changeMarket(state, job, e.block, (m) => {
          m.openJobCount -= 1;
        });
      }
      if (e.event === 'JobQuarantined') job.failures = e.failures;
      job.state = next;
      putJob(state, job, e.block);
      jobEvent(state, e, job.id, kind, job.sender);
      return;
    }
    case 'JobRefunded': {
      const job = state.jobs.require(jobId(e), 'job');
      job.refunded = (job.refunded ?? 0n) + e.amount;
      putJob(state, job, e.block);
      changeMarket(state, job, e.block, (m) => {
        m.refunded += e.amount;
      });
      jobEvent(state, e, job.id, JobEventKind.REFUNDED, e.to);
      return;
    }
    case 'JobSettled': {
      const job = state.jobs.require(jobId(e), 'job');
      Object.assign(job, { burned: e.burned, fee: e.fee, settledEpoch: Number(e.epoch) });
      putJob(state, job, e.block);
      changeMarket(state, job, e.block, (m) => {
        m.burned += e.burned;
        m.fees += e.fee;
      });
      // The epoch the contract credited (its open one): the approval counts there, in every figure.
      const epoch = state.marketEpochs.require(marketEpochId(job.market.id, e.epoch), 'market epoch');
      epoch.jobsApproved += 1;
      for (const s of [...stats(state, job.market, e.timestamp), epoch]) {
        s.workApproved += e.workCredited;
        s.burned += e.burned;
      }
      touchEpoch(state, epoch, e);
      const p = state.providers.require(e.provider.toLowerCase(), 'provider');
      p.approvedWorkUnits += e.workCredited;
      state.providers.put(p);
      // job.market is loaded as a stub (its id, the market id as a decimal string).
      const pe = providerEpoch(state, e.provider, Number(job.market.id), e.epoch);
      pe.jobsApproved += 1;
      pe.workUnits += e.workCredited;
      state.providerEpochs.put(pe);
      jobEvent(state, e, job.id, JobEventKind.SETTLED, e.provider);
      return;
    }
    case 'MarketEpochClosed': {
      const market = state.markets.require(String(e.marketId), 'market');
      const epoch = Number(e.epoch);
      const closing = state.marketEpochs.require(marketEpochId(market.id, epoch), 'market epoch');
      if (epoch !== market.epochCount)
        throw new Error(`market ${market.id} closed epoch ${epoch}, but its open epoch is ${market.epochCount}`);
      // workApproved is the contract's total: the sum of the JobSettled work credited to this epoch.
      Object.assign(closing, { closed: true, emission: e.emission, workApproved: e.workApproved, block: e.block, timestamp: e.timestamp });
      touchEpoch(state, closing, e);
      market.epochCount += 1;
      market.updatedAtBlock = e.block;
      state.markets.put(market);
      closeSupplyEpoch(state, market.id, epoch, e);
      openEpoch(state, market.id, epoch + 1, e);
      return;
    }
    case 'MarketEpochAvailability': {
      const epoch = state.marketEpochs.require(marketEpochId(String(e.marketId), e.epoch), 'market epoch');
      Object.assign(epoch, { availabilityEmission: e.availabilityEmission, availableProviders: e.availableProviders });
      touchEpoch(state, epoch, e);
      return;
    }
    case 'ProviderRewarded': {
      const p = state.providers.require(e.provider.toLowerCase(), 'provider');
      p.workRewards += e.workReward;
      p.availabilityRewards += e.availabilityReward;
      p.earnings += e.workReward + e.availabilityReward;
      p.updatedAtBlock = e.block;
      state.providers.put(p);
      const pe = providerEpoch(state, e.provider, e.marketId, e.epoch);
      pe.workReward += e.workReward;
      pe.availabilityReward += e.availabilityReward;
      state.providerEpochs.put(pe);
      updateMarket(state, e.marketId, e.block, {});
      const m = state.markets.require(String(e.marketId), 'market');
      m.minted += e.workReward + e.availabilityReward;
      // Minted for that (closed) epoch, whenever it is claimed.
      const epoch = state.marketEpochs.require(marketEpochId(m.id, e.epoch), 'market epoch');
      epoch.minted += e.workReward + e.availabilityReward;
      touchEpoch(state, epoch, e);
      return;
    }
  }
}

function updateMarket(state: BatchState, marketId: number, block: number, fields: Partial<Market>): void {
  const m = state.markets.require(String(marketId), 'market');
  Object.assign(m, fields, { updatedAtBlock: block });
  state.markets.put(m);
}

function changeMarket(state: BatchState, job: Job, block: number, change: (m: Market) => void): void {
  const m = state.markets.require(job.market.id, 'market');
  change(m);
  m.updatedAtBlock = block;
  state.markets.put(m);
}

function putJob(state: BatchState, job: Job, block: number): void {
  job.updatedAtBlock = block;
  state.jobs.put(job);
}

/** The hour and day statistics rows of this market at time t, created when new. */
function stats(state: BatchState, marketRef: Market, t: Date): MarketStat[] {
  const market = state.markets.require(marketRef.id, 'market');
  return [StatPeriod.HOUR, StatPeriod.DAY].map((period) => {
    const id = statId(market.id, period, t);
    const s =
      state.marketStats.get(id) ??
      new MarketStat({
        id,
        market,
        period,
        start: periodStart(period, t),
        jobsPosted: 0,
        volume: 0n,
        workEstimated: 0n,
        jobsApproved: 0,
        workApproved: 0n,
        burned: 0n,
        usdPerUnit: market.usdPerUnit,
        avgPricePerUnit: null,
      });
    s.usdPerUnit = market.usdPerUnit;
    return state.marketStats.put(s);
  });
}

/**
 * A market's epoch opens (at its creation, and when the one before closes, in the same log): a row
 * from the start, with the market's price then, and the token supply epoch it spans.
 */
function openEpoch(state: BatchState, marketId: string, epoch: number, e: EventMeta): void {
  const market = state.markets.require(marketId, 'market');
  state.marketEpochs.put(
    new MarketEpoch({
      id: marketEpochId(marketId, epoch),
      market,
      epoch,
      closed: false,
      startBlock: e.block,
      emission: 0n,
      workApproved: 0n,
      availabilityEmission: 0n,
      availableProviders: 0,
      jobsPosted: 0,
      volume: 0n,
      workEstimated: 0n,
      avgPricePerUnit: null,
      jobsApproved: 0,
      burned: 0n,
      minted: 0n,
      usdPerUnit: market.usdPerUnit,
      block: e.block,
      timestamp: e.timestamp,
      updatedAtBlock: e.block,
    }),
  );
  openSupplyEpoch(state, market, epoch, e);
}

/** The epoch the market has open now: as many epochs as it has closed, counted from 0. */
function openMarketEpoch(state: BatchState, marketId: string): MarketEpoch {
  const market = state.markets.require(marketId, 'market');
  return state.marketEpochs.require(marketEpochId(marketId, market.epochCount), 'market epoch');
}

/** Records a change: an open epoch's block and time follow its newest change, a closed one's stay at its close. */
function touchEpoch(state: BatchState, epoch: MarketEpoch, e: EventMeta): void {
  epoch.updatedAtBlock = e.block;
  if (!epoch.closed) {
    epoch.block = e.block;
    epoch.timestamp = e.timestamp;
  }
  state.marketEpochs.put(epoch);
}

function providerEpoch(state: BatchState, provider: string, marketId: number, epoch: bigint): ProviderEpoch {
  const id = providerEpochId(provider, marketId, epoch);
  return (
    state.providerEpochs.get(id) ??
    new ProviderEpoch({
      id,
      provider: state.providers.require(provider.toLowerCase(), 'provider'),
      marketId,
      epoch: Number(epoch),
      jobsApproved: 0,
      workUnits: 0n,
      workReward: 0n,
      availabilityReward: 0n,
      available: false,
    })
  );
}

function jobEvent(state: BatchState, e: EventMeta, id: string, kind: JobEventKind, actor: string): void {
  state.jobEvents.push(
    new JobEvent({
      id: e.id,
      job: new Job({ id }),
      kind,
      actor: actor.toLowerCase(),
      blockNumber: e.block,
      timestamp: e.timestamp,
      txHash: e.txHash,
    }),
  );
}
