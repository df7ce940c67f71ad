import type { Address } from 'viem';
import { buildActors, sendingActors } from './actors';
import { advanceClock } from './market-planner';
import { type Action, applyAction, createModel, JobState, ModelError, quotePayment, TOKEN } from './model';
import { type PlanContext, planRound, planSetup, virtualTime } from './planner';
import { presets } from './presets';
import { createRng } from './prng';

const DEPLOYER = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' as Address;

function simulate(seed: number, rounds: number) {
  const model = createModel({ registrationCost: 100n * TOKEN, usdPerToken: 25_000_000n });
  const ctx: PlanContext = { seed, preset: presets.small, actors: buildActors(seed, presets.small), deployer: DEPLOYER };
  const setup = planSetup(model, ctx);
  const rng = createRng(seed);
  const perRound: Action[][] = [];
  for (let i = 0; i < rounds; i++) perRound.push(planRound(model, ctx, rng));
  return { model, ctx, setup, perRound };
}

describe('quotePayment', () => {
  it('matches the on-chain formula ceil(work * usdPerUnit * 1e15 / usdPerToken)', () => {
    // 1.5 units at $0.40 with the token at $0.25 -> 2.4 GRID exactly.
    expect(quotePayment(1500n, 40_000_000n, 25_000_000n)).toBe(2_400_000_000_000_000_000n);
    // 1 thousandth at $0.00000001 per unit with the token at $3: 1e15/3e8 = 3333333.33.. rounds up.
    expect(quotePayment(1n, 1n, 300_000_000n)).toBe(3_333_334n);
  });
});

describe('planner', () => {
  it('sets up the preset: markets, funding, approvals, then subnets', () => {
    const { model, setup } = simulate(42, 0);
    expect(setup).toHaveLength(2);
    expect(model.markets).toHaveLength(presets.small.markets);
    expect(model.subnets.map((s) => s.netuid)).toEqual([1, 2, 3]);
    expect(setup[1]!.every((a) => a.type === 'registerSubnet')).toBe(true);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = simulate(42, 30).perRound;
    const b = simulate(42, 30).perRound;
    const c = simulate(7, 30).perRound;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('produces only valid, independent rounds that exercise every action', () => {
    const { model, ctx, perRound } = simulate(42, 60);
    const senders = new Set(sendingActors(ctx.actors).map((a) => a.address));
    const seen = new Set<string>();
    for (const round of perRound) {
      const from = round.filter((a) => a.from !== DEPLOYER).map((a) => a.from);
      // One action per actor per round: no nonce ordering or intra-round dependency to rely on.
      expect(new Set(from).size).toBe(from.length);
      for (const a of round) {
        seen.add(a.type);
        expect(a.from === DEPLOYER || senders.has(a.from)).toBe(true);
      }
    }
    for (const t of [
      'registerNeuron',
      'addStake',
      'removeStake',
      'registerProvider',
      'postJob',
      'claimJob',
      'completeJob',
      'heartbeat',
      'approveJob',
      'rejectJob',
      'cancelJob',
      'settleExpiredReviews',
      'expireJobs',
      'closeDueEpochs',
      'claimRewardsFor',
    ]) {
      expect(seen).toContain(t);
    }
    // Replaying every action on a fresh model reproduces the same state, i.e. none was invalid.
    const replay = createModel({ registrationCost: 100n * TOKEN, usdPerToken: 25_000_000n });
    for (const batch of planSetup(replay, ctx)) void batch;
    // The clock advances as planRound advances it, so that time- and block-bound actions replay.
    for (const [i, round] of perRound.entries()) {
      replay.round = i + 1;
      for (const a of round) applyAction(replay, a);
      advanceClock(replay, virtualTime(i + 2));
    }
    expect(replay.escrowed).toBe(model.escrowed);
    expect(replay.bme).toEqual(model.bme);
    expect(replay.totalStake).toBe(model.totalStake);
    expect(replay.jobsInState).toEqual(model.jobsInState);

    const sumStakes = [...model.stakes.values()].reduce((x, y) => x + y, 0n);
    expect(sumStakes).toBe(model.totalStake);
    expect(model.jobsInState.reduce((x, y) => x + y, 0)).toBe(model.jobs.length);
    expect(model.jobsInState[JobState.Completed]).toBeGreaterThan(0);
    for (const s of model.subnets) {
      expect(s.hotkeys.length).toBeLessThanOrEqual(presets.small.neuronsPerSubnet);
      expect(new Set(s.hotkeys).size).toBe(s.hotkeys.length);
    }
    expect(model.subnets.every((s) => s.hotkeys.length === presets.small.neuronsPerSubnet)).toBe(true);
    expect(model.providers.size).toBe(presets.small.providers);
  });

  it('model refuses what the contracts refuse', () => {
    const { model, ctx } = simulate(42, 20);
    const lowTier = ctx.actors.providers.find((p) => p.gpu.tier === 1 && model.providers.get(p.address)?.activeJobs.length === 0);
    const t3Job = model.jobs.find((j) => j.state === JobState.Posted && model.markets[j.marketId - 1]!.tier === 3);
    if (lowTier && t3Job) {
      expect(() => applyAction(model, { type: 'claimJob', from: lowTier.address, jobId: t3Job.id })).toThrow(ModelError);
    }
    const staker = ctx.actors.stakers[0]!.address;
    const hotkey = model.subnets[0]!.hotkeys[0]!;
    expect(() => applyAction(model, { type: 'removeStake', from: staker, hotkey, netuid: 1, amount: 10n ** 30n })).toThrow(ModelError);
    const foreign = ctx.actors.coldkeys[1]!.address;
    const owned = model.subnets[0]!.hotkeys[0]!;
    const owner = model.hotkeyOwner.get(owned);
    if (owner !== foreign) {
      expect(() => applyAction(model, { type: 'registerNeuron', from: foreign, netuid: 2, hotkey: owned })).toThrow(ModelError);
    }
  });
});
