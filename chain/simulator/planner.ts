/**
 * Decides what the simulated population does: the setup batches and, each round, at most one
 * action per actor. Pure (model + PRNG in, actions out): every action is applied to the model as it
 * is chosen, so later choices in the same round see it, and no two actions of one round conflict.
 */
import { type Address, type Hex, keccak256, toHex } from 'viem';
import type { Actor, SimActors } from './actors';
import { advanceClock, planKeeper, planMarketSetup, planProviderTurn, planSenderReview } from './market-planner';
import {
  type Action,
  applyAction,
  balanceOf,
  JobKind,
  type JobModel,
  type JobSpec,
  JobState,
  quotePayment,
  type SimModel,
  TOKEN,
} from './model';
import type { SimPreset } from './presets';
import type { Rng } from './prng';

export interface PlanContext {
  seed: number;
  preset: SimPreset;
  actors: SimActors;
  deployer: Address;
}

/** Job deadlines use a virtual clock, not block time, so that they are the same on every run. */
export const SIM_TIME_ORIGIN = 2_000_000_000n; // 2033-05-18
export const SECONDS_PER_ROUND = 60n;
const JOB_TTL_SECONDS = 7n * 24n * 3600n;
/** Some senders want results soon: their jobs expire if nobody finishes them in a few rounds. */
const SHORT_TTL_SHARE = 0.3;
/** Round r starts at this time on the virtual clock (the simulator moves the chain's clock there). */
export const virtualTime = (round: number) => SIM_TIME_ORIGIN + BigInt(round) * SECONDS_PER_ROUND;

export interface MarketSpec {
  kind: JobKind;
  tier: number;
  name: string;
  /** USD per work unit, 8 decimals. */
  usdPerUnit: bigint;
  /** Range of work estimates, in thousandths of a unit. */
  work: [number, number];
}

/** Markets in creation order; a preset takes the first `markets` (cycling if it wants more). */
export const MARKET_SPECS: readonly MarketSpec[] = [
  { kind: JobKind.Render, tier: 1, name: 'render-t1', usdPerUnit: 40_000_000n, work: [500, 20_000] },
  { kind: JobKind.Inference, tier: 2, name: 'inference-t2', usdPerUnit: 90_000_000n, work: [100, 4_000] },
  { kind: JobKind.Training, tier: 3, name: 'training-t3', usdPerUnit: 250_000_000n, work: [2_000, 50_000] },
  { kind: JobKind.Render, tier: 3, name: 'render-t3', usdPerUnit: 120_000_000n, work: [1_000, 30_000] },
  { kind: JobKind.Render, tier: 2, name: 'render-t2', usdPerUnit: 80_000_000n, work: [500, 20_000] },
  { kind: JobKind.Inference, tier: 1, name: 'inference-t1', usdPerUnit: 50_000_000n, work: [100, 4_000] },
  { kind: JobKind.Inference, tier: 3, name: 'inference-t3', usdPerUnit: 160_000_000n, work: [100, 8_000] },
  { kind: JobKind.Training, tier: 2, name: 'training-t2', usdPerUnit: 180_000_000n, work: [2_000, 40_000] },
  { kind: JobKind.Training, tier: 1, name: 'training-t1', usdPerUnit: 100_000_000n, work: [1_000, 20_000] },
];

const SUBNET_NAMES = ['text-prompting', 'image-gen', 'protein-fold', 'data-scrape', 'time-series', 'audio', 'code', 'vision'];

export const marketSpec = (marketId: number) => MARKET_SPECS[(marketId - 1) % MARKET_SPECS.length]!;

export const specHashOf = (seed: number, jobId: bigint): Hex => keccak256(toHex(`gridmind-sim:${seed}:spec:${jobId}`));
export const resultHashOf = (seed: number, jobId: bigint): Hex => keccak256(toHex(`gridmind-sim:${seed}:result:${jobId}`));

function push(m: SimModel, out: Action[], a: Action) {
  applyAction(m, a);
  out.push(a);
}

/**
 * Setup, as batches that must run in order (a batch's transactions are independent of each other):
 * 1. markets, token funding and approvals; 2. subnet registrations (they spend what 1 minted).
 */
export function planSetup(m: SimModel, ctx: PlanContext): Action[][] {
  const { preset, actors, deployer } = ctx;
  const first: Action[] = [];
  for (let i = 0; i < preset.markets; i++) {
    const s = MARKET_SPECS[i % MARKET_SPECS.length]!;
    const name = i < MARKET_SPECS.length ? s.name : `${s.name}-${Math.floor(i / MARKET_SPECS.length) + 1}`;
    push(m, first, { type: 'createMarket', from: deployer, kind: s.kind, tier: s.tier, name, usdPerUnit: s.usdPerUnit });
  }
  planMarketSetup(m, preset, deployer, (a) => push(m, first, a));
  const fund = (to: Actor, whole: bigint) => push(m, first, { type: 'mint', from: deployer, to: to.address, amount: whole * TOKEN });
  for (const o of actors.subnetOwners) {
    push(m, first, { type: 'mint', from: deployer, to: o.address, amount: m.registrationCost });
    push(m, first, { type: 'approve', from: o.address, spender: 'registry' });
  }
  for (const c of [...actors.coldkeys, ...actors.stakers]) {
    fund(c, preset.stakerFunding);
    push(m, first, { type: 'approve', from: c.address, spender: 'registry' });
  }
  for (const s of actors.senders) {
    fund(s, preset.senderFunding);
    push(m, first, { type: 'approve', from: s.address, spender: 'market' });
  }
  const second: Action[] = actors.subnetOwners.map((o, i) => ({
    type: 'registerSubnet',
    from: o.address,
    name: i < SUBNET_NAMES.length ? SUBNET_NAMES[i]! : `subnet-${i + 1}`,
    tempo: preset.tempo,
    ...(preset.weightsRateLimit === undefined ? {} : { weightsRateLimit: preset.weightsRateLimit }),
  }));
  for (const a of second) applyAction(m, a);
  return [first, second];
}

/** Plans the next round and advances `m.round`. Returns the actions in the order they must be sent. */
export function planRound(m: SimModel, ctx: PlanContext, rng: Rng): Action[] {
  m.round++;
  const { preset, actors, seed, deployer } = ctx;
  const out: Action[] = [];
  planKeeper(m, deployer, (a) => push(m, out, a));

  // Registered neurons, fixed for the round's stake choices (a neuron registered this round can
  // only receive stake from the next round on: its registration tx may not be mined yet). Providers'
  // own neurons (miners of the compute subnet, see simulator.ts) get no stake: stake backs validators.
  const providerKeys = new Set(actors.providers.map((p) => p.address));
  const neurons = m.subnets.flatMap((s) => s.hotkeys.filter((h) => !providerKeys.has(h)).map((hotkey) => ({ netuid: s.netuid, hotkey })));

  const stakeOrUnstake = (who: Address, own: Set<Address> | null) => {
    const prefix = `${who}:`;
    const positions = [...m.stakes.entries()].filter(([k]) => k.startsWith(prefix));
    if (positions.length > 0 && rng.chance(0.3)) {
      const [k, amount] = rng.pick(positions);
      const [, hotkey, netuid] = k.split(':') as [Address, Address, string];
      const whole = amount / TOKEN;
      const take = rng.chance(0.3) || whole < 2n ? amount : BigInt(rng.range(1, Number(whole > 1000n ? 1000n : whole) - 1)) * TOKEN;
      push(m, out, { type: 'removeStake', from: who, hotkey, netuid: Number(netuid), amount: take });
      return;
    }
    const balanceWhole = balanceOf(m, who) / TOKEN;
    if (neurons.length === 0 || balanceWhole < 1n) return;
    const mine = own ? neurons.filter((n) => own.has(n.hotkey)) : [];
    const target = mine.length > 0 && rng.chance(0.7) ? rng.pick(mine) : rng.pick(neurons);
    const amount = BigInt(rng.range(1, Number(balanceWhole > 100n ? 100n : balanceWhole))) * TOKEN;
    push(m, out, { type: 'addStake', from: who, hotkey: target.hotkey, netuid: target.netuid, amount });
  };

  // Providers' own neurons do not count against the preset's size either.
  for (const c of actors.coldkeys) {
    if (!rng.chance(preset.activity.coldkey)) continue;
    const own = new Set(c.hotkeys.map((h) => h.address));
    const options = m.subnets.flatMap((s) => {
      if (s.hotkeys.filter((h) => !providerKeys.has(h)).length >= preset.neuronsPerSubnet) return [];
      const free = c.hotkeys.filter((h) => !s.hotkeys.includes(h.address));
      return free.length > 0 ? [{ netuid: s.netuid, free }] : [];
    });
    if (options.length > 0 && rng.chance(0.5)) {
      const o = rng.pick(options);
      push(m, out, { type: 'registerNeuron', from: c.address, netuid: o.netuid, hotkey: rng.pick(o.free).address });
    } else {
      stakeOrUnstake(c.address, own);
    }
  }

  for (const s of actors.stakers) {
    if (rng.chance(preset.activity.staker)) stakeOrUnstake(s.address, null);
  }

  let open = m.jobs.filter((j) => j.state === JobState.Posted);
  for (const p of actors.providers) {
    if (!rng.chance(preset.activity.provider)) continue;
    const reg = m.providers.get(p.address);
    if (!reg) {
      push(m, out, {
        type: 'registerProvider',
        from: p.address,
        gpuModel: p.gpu.gpuModel,
        vramGb: p.gpu.vramGb,
        benchmarkScore: p.benchmarkScore,
        tier: p.gpu.tier,
      });
    } else {
      open = planProviderTurn(m, { seed, resultHashOf, maxSlots: preset.batching?.providerSlots }, rng, p, reg, open, (a) =>
        push(m, out, a),
      );
    }
  }

  // Each sender's reviewable jobs, in id order, from one pass over the jobs (not one per sender: a
  // long history holds hundreds of thousands). Exact: a sender's turn only changes its own jobs.
  const bySender = new Map<Address, JobModel[]>();
  for (const j of m.jobs) {
    if (j.state !== JobState.Completed && j.state !== JobState.Posted) continue;
    const list = bySender.get(j.sender);
    if (list) list.push(j);
    else bySender.set(j.sender, [j]);
  }
  for (const s of actors.senders) {
    if (!rng.chance(preset.activity.sender) || m.markets.length === 0) continue;
    const review = (a: Action) => push(m, out, a);
    if (planSenderReview(m, seed, rng, s.address, review, !!preset.batching, bySender.get(s.address) ?? [])) continue;
    // One job, or with batching 1..jobsPerPost of them in one postJobs.
    const count = preset.batching && preset.batching.jobsPerPost > 1 ? rng.range(1, preset.batching.jobsPerPost) : 1;
    const jobs: JobSpec[] = [];
    let spent = 0n;
    for (let k = 0; k < count; k++) {
      const market = rng.pick(m.markets);
      const [lo, hi] = marketSpec(market.id).work;
      const workEstimate = BigInt(rng.range(lo, hi));
      const payment = quotePayment(workEstimate, market.usdPerUnit, m.usdPerToken);
      if (balanceOf(m, s.address) < spent + payment) break;
      spent += payment;
      const jobId = BigInt(m.jobs.length + 1 + jobs.length);
      jobs.push({
        marketId: market.id,
        specHash: specHashOf(seed, jobId),
        workEstimate,
        // From the later of the virtual and the chain's clock: a busy round can run the chain ahead.
        deadline:
          (m.clock.timestamp + 1n > virtualTime(m.round) ? m.clock.timestamp + 1n : virtualTime(m.round)) +
          (rng.chance(SHORT_TTL_SHARE) ? BigInt(rng.range(3, 8)) * SECONDS_PER_ROUND : JOB_TTL_SECONDS),
        jobId,
        payment,
      });
    }
    if (jobs.length === 1) push(m, out, { type: 'postJob', from: s.address, ...jobs[0]! });
    else if (jobs.length > 1) push(m, out, { type: 'postJobs', from: s.address, jobs });
  }

  // Top-ups last: nothing above relied on them, so the round's actions stay independent.
  const topUp = (who: Actor, whole: bigint) => {
    if (balanceOf(m, who.address) < (whole * TOKEN) / 5n)
      push(m, out, { type: 'mint', from: deployer, to: who.address, amount: whole * TOKEN });
  };
  for (const c of [...actors.coldkeys, ...actors.stakers]) topUp(c, preset.stakerFunding);
  for (const s of actors.senders) topUp(s, preset.senderFunding);
  advanceClock(m, virtualTime(m.round + 1));
  return out;
}
