/**
 * What the compute market's simulated agents do each round. Pure: model + PRNG in, actions out.
 *
 * Hidden traits, derived from the seed and the address only (so adding them left actors.ts alone):
 * - cheating providers (about 1 in 7) always deliver a bad result and over-report work;
 * - other providers deliver a bad result now and then, the less reliable the more often;
 * - diligent senders (about 7 in 10) review their completed jobs from the next round on:
 *   approve good work, reject bad work while the review window is surely open. The others never
 *   review, so their jobs (bad ones included) auto-approve when the keeper settles them.
 * The keeper (the deployer) closes due market epochs, pays the rewards of closed ones, settles
 * expired reviews and expires late jobs, at the start of each round.
 */
import { type Address, type Hex, hexToBigInt, keccak256, toHex } from 'viem';
import type { ProviderActor } from './actors';
import { epochOf, isQualified, nextLanding, rewardOf } from './market-model';
import { type Action, type Completion, findJob, type JobModel, JobState, type ProviderModel, type SimModel } from './model';
import type { SimPreset } from './presets';
import type { Rng } from './prng';

type Emit = (a: Action) => void;

const CHEATER_SHARE = 0.15;
const DILIGENT_SHARE = 0.7;
/** Chunk sizes that keep a batch well under the per-transaction gas cap (see GAS in simulator.ts). */
export const CLAIM_CHUNK = 150;
export const SETTLE_CHUNK = 60;

/** A number in [0, 1) from the seed, a trait name and an address. */
function trait(seed: number, name: string, who: Address): number {
  return Number(hexToBigInt(keccak256(toHex(`gridmind-sim:${seed}:${name}:${who}`))) >> 224n) / 2 ** 32;
}
export const isCheater = (seed: number, provider: Address) => trait(seed, 'cheater', provider) < CHEATER_SHARE;
export const isDiligent = (seed: number, sender: Address) => trait(seed, 'diligent', sender) < DILIGENT_SHARE;

/** VRAM rules of the simulated markets, by name prefix: training needs 48 GB, tier-3 inference 80 GB. */
export function minVramFor(name: string): number {
  if (name.startsWith('training')) return 48;
  if (name.startsWith('inference-t3')) return 80;
  return 0;
}

/**
 * Review window and epoch length in blocks, scaled to the preset: a round takes about one block
 * per acting agent, and a diligent sender must be able to reject in the round after completion.
 */
export function marketParams(preset: SimPreset) {
  const perRound =
    preset.providers + preset.senders + preset.coldkeys * (1 + preset.hotkeysPerColdkey) + preset.stakers + preset.subnets + 20;
  return { reviewWindow: 2 * perRound, epochBlocks: 2 * perRound, workEmission: 500n * 10n ** 18n, availabilityEmission: 50n * 10n ** 18n };
}

/** After the markets are created: their parameters and VRAM requirements. */
export function planMarketSetup(m: SimModel, preset: SimPreset, deployer: Address, emit: Emit): void {
  m.treasury = deployer;
  const params = marketParams(preset);
  for (const market of m.markets) {
    emit({ type: 'setMarketParams', from: deployer, marketId: market.id, ...params });
    const minVramGb = minVramFor(market.name);
    if (minVramGb > 0) emit({ type: 'setMarketRequirements', from: deployer, marketId: market.id, minVramGb });
  }
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** The keeper's batches, first in the round so that their bounds are the tightest. */
export function planKeeper(m: SimModel, deployer: Address, emit: Emit): void {
  const due = m.markets.filter((mk) => nextLanding(m).lo >= mk.epochStartHi + mk.epochBlocks).map((mk) => mk.id);
  if (due.length > 0) emit({ type: 'closeDueEpochs', from: deployer, marketIds: due });

  for (const market of m.markets) {
    for (const [epoch, e] of market.epochs) {
      if (!e.closed) continue;
      const payable = [...new Set([...e.work.keys(), ...e.available])].filter((p) => {
        const r = rewardOf(e, p);
        return !e.claimed.has(p) && r.workReward + r.availabilityReward > 0n;
      });
      for (const providers of chunks(payable.sort(), CLAIM_CHUNK)) {
        emit({ type: 'claimRewardsFor', from: deployer, marketId: market.id, epoch, providers });
      }
      market.epochs.delete(epoch); // paid out: nothing left to track
    }
  }

  const open = m.jobs.filter((j) => j.state === JobState.Completed || j.state === JobState.Posted || j.state === JobState.Claimed);
  const settleable = open.filter((j) => j.state === JobState.Completed && nextLanding(m).lo >= j.reviewEndHi!).map((j) => j.id);
  for (const jobIds of chunks(settleable, SETTLE_CHUNK)) emit({ type: 'settleExpiredReviews', from: deployer, jobIds });
  const late = open
    .filter((j) => (j.state === JobState.Posted || j.state === JobState.Claimed) && j.deadline <= nextLanding(m).tsLo)
    .map((j) => j.id);
  for (const jobIds of chunks(late, SETTLE_CHUNK)) emit({ type: 'expireJobs', from: deployer, jobIds });
}

/** How many jobs a provider works on at once: 1, or 1..maxSlots by a trait of its address. */
export const providerSlots = (seed: number, provider: Address, maxSlots = 1) =>
  maxSlots <= 1 ? 1 : 1 + Math.floor(trait(seed, 'slots', provider) * maxSlots);

/**
 * A registered provider's turn: finish its jobs that are done (well or badly), or, with a free
 * slot, declare itself available in a market or claim jobs it qualifies for (one per free slot).
 * Returns the open jobs left for the others.
 */
export function planProviderTurn(
  m: SimModel,
  ctx: { seed: number; resultHashOf: (seed: number, jobId: bigint) => Hex; maxSlots?: number },
  rng: Rng,
  p: ProviderActor,
  reg: ProviderModel,
  open: JobModel[],
  emit: Emit,
): JobModel[] {
  const slots = providerSlots(ctx.seed, p.address, ctx.maxSlots);
  const done: Completion[] = [];
  for (const id of reg.activeJobs) {
    const job = findJob(m, id);
    const units = Number(job.workEstimate) / 1000;
    const rounds = Math.min(4, Math.max(1, Math.ceil(units / (p.speed * 8))));
    // Slow and unreliable providers run late; past the deadline the job can only expire.
    if (m.round - job.claimedRound! >= rounds && rng.chance(p.reliability) && job.deadline > nextLanding(m).tsHi) {
      const cheat = isCheater(ctx.seed, p.address);
      const good = !cheat && rng.chance(0.5 + p.reliability / 2);
      const factor = cheat ? 1.3 + 0.4 * rng.float() : 0.8 + 0.4 * rng.float();
      const workUnits = BigInt(Math.max(1, Math.round(Number(job.workEstimate) * factor)));
      const resultHash = good
        ? ctx.resultHashOf(ctx.seed, job.id)
        : keccak256(toHex(`gridmind-sim:${ctx.seed}:bad:${job.id}:${job.failures}`));
      done.push({ jobId: job.id, resultHash, workUnits, resultGood: good });
    }
  }
  if (done.length === 1) emit({ type: 'completeJob', from: p.address, ...done[0]! });
  else if (done.length > 1) emit({ type: 'completeJobs', from: p.address, jobs: done });
  const free = slots - reg.activeJobs.length;
  if (done.length > 0 || free <= 0) return open;
  const qualified = m.markets.filter((mk) => isQualified(m, p.address, mk));
  if (rng.chance(0.3)) {
    const idle = qualified.filter((mk) => {
      const e = epochOf(mk, mk.epoch);
      return !e.available.has(p.address) && !e.forfeited.has(p.address);
    });
    if (idle.length > 0) {
      emit({ type: 'heartbeat', from: p.address, marketId: rng.pick(idle).id });
      return open;
    }
  }
  const ids = new Set(qualified.map((mk) => mk.id));
  const tsHi = nextLanding(m).tsHi;
  let eligible = open.filter((j) => ids.has(j.marketId) && j.deadline > tsHi).slice(0, 3 * free);
  if (eligible.length === 0) return open;
  const chosen = new Set<JobModel>();
  for (let k = 0; k < free && eligible.length > 0; k++) {
    const job = rng.pick(eligible);
    chosen.add(job);
    eligible = eligible.filter((j) => j !== job);
  }
  const jobIds = [...chosen].map((j) => j.id);
  if (jobIds.length === 1) emit({ type: 'claimJob', from: p.address, jobId: jobIds[0]! });
  else emit({ type: 'claimJobs', from: p.address, jobIds });
  return open.filter((j) => !chosen.has(j));
}

/**
 * A sender's review or cancellation, if it has one to make; false leaves its turn to posting.
 * With `batch`, a diligent sender approves all its good results in one transaction.
 */
export function planSenderReview(
  m: SimModel,
  seed: number,
  rng: Rng,
  sender: Address,
  emit: Emit,
  batch = false,
  /** The sender's jobs in id order, a superset of its Completed and Posted ones (all jobs by default). */
  candidates?: readonly JobModel[],
): boolean {
  const mine = (candidates ?? m.jobs).filter((j) => j.sender === sender && (j.state === JobState.Completed || j.state === JobState.Posted));
  if (isDiligent(seed, sender)) {
    if (batch) {
      const good = mine.filter((j) => j.state === JobState.Completed && j.resultGood).map((j) => j.id);
      if (good.length > 1) {
        emit({ type: 'approveJobs', from: sender, jobIds: good });
        return true;
      }
    }
    for (const job of mine) {
      if (job.state !== JobState.Completed) continue;
      if (job.resultGood) {
        emit({ type: 'approveJob', from: sender, jobId: job.id });
        return true;
      }
      if (nextLanding(m).hi < job.reviewEndLo!) {
        emit({ type: 'rejectJob', from: sender, jobId: job.id });
        return true;
      }
    }
  }
  const stale = mine.filter((j) => j.state === JobState.Posted && j.postedRound <= m.round - 2);
  if (stale.length > 0 && rng.chance(0.4)) {
    emit({ type: 'cancelJob', from: sender, jobId: stale[0]!.id });
    return true;
  }
  return false;
}

/** Predicts the head after a round, for planning without a chain; the simulator replaces it with the truth. */
export function advanceClock(m: SimModel, virtualNext: bigint): void {
  const c = m.clock;
  const ts = c.timestamp + BigInt(c.txs);
  m.clock = { block: c.block + c.txs, timestamp: ts > virtualNext - 1n ? ts : virtualNext - 1n, txs: 0 };
}
