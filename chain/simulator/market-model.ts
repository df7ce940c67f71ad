/**
 * The compute market's part of the simulator model: review, refunds and burn-mint-equilibrium
 * epochs, mirrored from ComputeMarket.sol. Pure: no I/O.
 *
 * The planner cannot know in which block (or at which timestamp) a transaction will be mined, only
 * bounds: a round's transactions are sent in order after the head the simulator read, one block
 * each under automine. So every time- or block-dependent rule is checked against the bound that
 * makes the transaction succeed whatever block it lands in (see `landing`), and the model stores
 * bounds where the chain stores exact blocks (epochStartHi, reviewEndLo/Hi).
 */
import type { Address } from 'viem';
import { creditedWork, epochReward, MAX_FAILURES, splitPayment } from '../bme';
import { credit, findJob, type JobModel, JobState, type MarketModel, ModelError, moveJob, releaseJob, type SimModel } from './model';

/** Blocks (interval mining may add empty ones) and seconds of margin on top of a round's own. */
export const SLACK_BLOCKS = 8;
export const SLACK_SECONDS = 30n;

/** Mirrors ComputeMarket's defaults for a new market. Literal wei: model.ts imports this module, so
 *  its constants (TOKEN) are not defined yet when this one initialises. */
export const MARKET_DEFAULTS = {
  minVramGb: 0,
  reviewWindow: 600,
  epochBlocks: 360,
  workEmission: 1_000n * 10n ** 18n,
  availabilityEmission: 100n * 10n ** 18n,
} as const;

export type MarketAction =
  | {
      type: 'setMarketParams';
      from: Address;
      marketId: number;
      reviewWindow: number;
      epochBlocks: number;
      workEmission: bigint;
      availabilityEmission: bigint;
    }
  | { type: 'setMarketRequirements'; from: Address; marketId: number; minVramGb: number }
  | { type: 'heartbeat'; from: Address; marketId: number }
  | { type: 'approveJob'; from: Address; jobId: bigint }
  /** ComputeMarket.approveJobs: a sender approves several completed jobs at once. */
  | { type: 'approveJobs'; from: Address; jobIds: bigint[] }
  | { type: 'rejectJob'; from: Address; jobId: bigint }
  | { type: 'cancelJob'; from: Address; jobId: bigint }
  | { type: 'settleExpiredReviews'; from: Address; jobIds: bigint[] }
  | { type: 'expireJobs'; from: Address; jobIds: bigint[] }
  | { type: 'closeDueEpochs'; from: Address; marketIds: number[] }
  | { type: 'claimRewardsFor'; from: Address; marketId: number; epoch: number; providers: Address[] };

/** The head the round is planned from, and how many of the round's transactions are planned so far. */
export interface ChainClock {
  block: number;
  /** The next block's timestamp is at least this + 1. */
  timestamp: bigint;
  txs: number;
  /** The round's transactions are mined together in the next block (the simulator's manual mining). */
  oneBlock?: boolean;
}

export interface EpochModel {
  workApproved: bigint;
  work: Map<Address, bigint>;
  available: Set<Address>;
  forfeited: Set<Address>;
  closed: boolean;
  workEmission: bigint;
  availabilityEmission: bigint;
  claimed: Set<Address>;
}

export interface BmeTotals {
  burned: bigint;
  fees: bigint;
  refunded: bigint;
  rewardsMinted: bigint;
}

export const createClock = (timestamp: bigint): ChainClock => ({ block: 0, timestamp, txs: 0 });
export const createBmeTotals = (): BmeTotals => ({ burned: 0n, fees: 0n, refunded: 0n, rewardsMinted: 0n });

/**
 * Where the transaction being applied lands: blocks in [lo, hi], timestamps in [tsLo, tsHi].
 * applyAction has already counted it in clock.txs.
 */
export function landing(m: SimModel): { lo: number; hi: number; tsLo: bigint; tsHi: bigint } {
  const c = m.clock;
  const spread = c.oneBlock ? 1 : c.txs;
  return {
    lo: c.block + 1,
    hi: c.block + spread + SLACK_BLOCKS,
    tsLo: c.timestamp + 1n,
    tsHi: c.timestamp + BigInt(spread) + SLACK_SECONDS,
  };
}

/** The landing bounds of the next transaction to be planned. */
export function nextLanding(m: SimModel) {
  m.clock.txs++;
  try {
    return landing(m);
  } finally {
    m.clock.txs--;
  }
}

export function epochOf(market: MarketModel, epoch: number): EpochModel {
  let e = market.epochs.get(epoch);
  if (!e) {
    e = {
      workApproved: 0n,
      work: new Map(),
      available: new Set(),
      forfeited: new Set(),
      closed: false,
      workEmission: 0n,
      availabilityEmission: 0n,
      claimed: new Set(),
    };
    market.epochs.set(epoch, e);
  }
  return e;
}

export function rewardOf(e: EpochModel, provider: Address) {
  return epochReward(
    {
      workEmission: e.workEmission,
      workApproved: e.workApproved,
      availabilityEmission: e.availabilityEmission,
      availableProviders: e.available.size,
    },
    { workApproved: e.work.get(provider) ?? 0n, available: e.available.has(provider) },
  );
}

function marketOf(m: SimModel, marketId: number): MarketModel {
  const market = m.markets[marketId - 1];
  if (!market) throw new ModelError(`unknown market ${marketId}`);
  return market;
}

/** Tier and VRAM rules of claimJob and heartbeat. */
export function isQualified(m: SimModel, provider: Address, market: MarketModel): boolean {
  const p = m.providers.get(provider);
  return !!p && p.tier >= market.tier && p.vramGb >= market.minVramGb;
}

function refund(m: SimModel, job: JobModel) {
  m.escrowed -= job.payment;
  m.bme.refunded += job.payment;
  credit(m, job.sender, job.payment);
}

function settle(m: SimModel, job: JobModel) {
  if (!m.treasury) throw new ModelError('no treasury: set it before jobs are approved');
  const { burned, fee } = splitPayment(job.payment);
  const market = marketOf(m, job.marketId);
  const work = creditedWork(job.workUnits!, job.workEstimate);
  const e = epochOf(market, market.epoch);
  e.workApproved += work;
  e.work.set(job.provider!, (e.work.get(job.provider!) ?? 0n) + work);
  m.escrowed -= job.payment;
  m.bme.burned += burned;
  m.bme.fees += fee;
  credit(m, m.treasury, fee);
  moveJob(m, job, JobState.Approved);
}

function expectCompleted(job: JobModel, reviewer?: Address) {
  if (job.state !== JobState.Completed) throw new ModelError(`job ${job.id} is not completed`);
  // The simulator has no validators on the market yet: only senders review.
  if (reviewer !== undefined && reviewer !== job.sender) throw new ModelError(`${reviewer} cannot review job ${job.id}`);
}

/** Applies a market action as ComputeMarket would, or throws ModelError where it might revert. */
export function applyMarketAction(m: SimModel, a: MarketAction): void {
  const land = landing(m);
  switch (a.type) {
    case 'setMarketParams': {
      const market = marketOf(m, a.marketId);
      if (a.reviewWindow <= 0 || a.epochBlocks <= 0) throw new ModelError('review window and epoch length must be positive');
      Object.assign(market, {
        reviewWindow: a.reviewWindow,
        epochBlocks: a.epochBlocks,
        workEmission: a.workEmission,
        availabilityEmission: a.availabilityEmission,
      });
      return;
    }
    case 'setMarketRequirements':
      marketOf(m, a.marketId).minVramGb = a.minVramGb;
      return;
    case 'heartbeat': {
      const market = marketOf(m, a.marketId);
      if (!isQualified(m, a.from, market)) throw new ModelError(`${a.from} is not qualified for market ${a.marketId}`);
      const e = epochOf(market, market.epoch);
      if (e.available.has(a.from) || e.forfeited.has(a.from)) throw new ModelError(`${a.from} already heartbeat in this epoch`);
      e.available.add(a.from);
      return;
    }
    case 'approveJob': {
      const job = findJob(m, a.jobId);
      expectCompleted(job, a.from);
      settle(m, job);
      return;
    }
    case 'approveJobs':
      if (a.jobIds.length === 0) throw new ModelError('no jobs to approve');
      for (const id of a.jobIds) {
        const job = findJob(m, id);
        expectCompleted(job, a.from);
        settle(m, job);
      }
      return;
    case 'rejectJob': {
      const job = findJob(m, a.jobId);
      expectCompleted(job, a.from);
      if (land.hi >= job.reviewEndLo!) throw new ModelError(`job ${a.jobId}'s review window may be over`);
      const market = marketOf(m, job.marketId);
      const e = epochOf(market, market.epoch);
      e.available.delete(job.provider!);
      e.forfeited.add(job.provider!);
      job.failures++;
      Object.assign(job, {
        provider: undefined,
        workUnits: undefined,
        resultGood: undefined,
        reviewEndLo: undefined,
        reviewEndHi: undefined,
      });
      if (job.failures >= MAX_FAILURES) {
        moveJob(m, job, JobState.Quarantined);
        refund(m, job);
      } else {
        moveJob(m, job, JobState.Posted);
      }
      return;
    }
    case 'cancelJob': {
      const job = findJob(m, a.jobId);
      if (job.state !== JobState.Posted || job.sender !== a.from) throw new ModelError(`${a.from} cannot cancel job ${a.jobId}`);
      moveJob(m, job, JobState.Cancelled);
      refund(m, job);
      return;
    }
    case 'settleExpiredReviews':
      for (const id of a.jobIds) {
        const job = findJob(m, id);
        expectCompleted(job);
        if (land.lo < job.reviewEndHi!) throw new ModelError(`job ${id}'s review window may still be open`);
        settle(m, job);
      }
      return;
    case 'expireJobs':
      for (const id of a.jobIds) {
        const job = findJob(m, id);
        if (job.state !== JobState.Posted && job.state !== JobState.Claimed) throw new ModelError(`job ${id} cannot expire`);
        if (job.deadline > land.tsLo) throw new ModelError(`job ${id}'s deadline may not have passed`);
        if (job.state === JobState.Claimed) releaseJob(m, job.provider!, job.id);
        moveJob(m, job, JobState.Expired);
        refund(m, job);
      }
      return;
    case 'closeDueEpochs':
      for (const id of a.marketIds) {
        const market = marketOf(m, id);
        if (land.lo < market.epochStartHi + market.epochBlocks) throw new ModelError(`market ${id}'s epoch may not be due`);
        const e = epochOf(market, market.epoch);
        e.closed = true;
        e.workEmission = e.workApproved > 0n ? market.workEmission : 0n;
        e.availabilityEmission = e.available.size > 0 ? market.availabilityEmission : 0n;
        market.epoch++;
        market.epochStartHi = land.hi;
      }
      return;
    case 'claimRewardsFor': {
      const e = marketOf(m, a.marketId).epochs.get(a.epoch);
      if (!e?.closed) throw new ModelError(`epoch ${a.epoch} of market ${a.marketId} is not closed`);
      for (const p of a.providers) {
        const r = rewardOf(e, p);
        const amount = r.workReward + r.availabilityReward;
        // The contract skips these; the planner never sends them, so a skip would be a model bug.
        if (e.claimed.has(p) || amount === 0n) throw new ModelError(`${p} has nothing to claim in epoch ${a.epoch}`);
        e.claimed.add(p);
        m.bme.rewardsMinted += amount;
        credit(m, p, amount);
      }
      return;
    }
  }
}
