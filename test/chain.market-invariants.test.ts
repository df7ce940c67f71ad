// A seeded random walk over the compute market, honest calls and attacks mixed. After every step the
// chain must agree with a ledger built from the market's events alone (as the indexer builds it):
// token supply change = minted - burned, escrow held = open jobs' payments, every job leaves escrow
// exactly once, and every revert is one of the contract's named errors.
import type { Address, PrivateKeyAccount } from 'viem';
import { computeMarketAbi, JobState, ROLES, splitPayment } from '../chain';
import { createRng } from '../chain/simulator/prng';
import { createMarketHarness, type MarketEvent, type MarketHarness } from './harness/market';

const GRID = 10n ** 18n;
jest.setTimeout(240_000); // about 20 s alone, much longer beside other devnet suites

const SEED = 20_240_601;
const STEPS = 400;
const OPEN = new Set([JobState.Posted, JobState.Claimed, JobState.Completed]);

interface LedgerJob {
  sender: Address;
  marketId: number;
  payment: bigint;
  state: JobState;
  provider?: Address;
  /** Escrow exits seen for this job: must end at 1 for terminal jobs, 0 for open ones. */
  exits: number;
}

describe(`compute market invariants (random walk, seed ${SEED}, ${STEPS} steps)`, () => {
  let h: MarketHarness;
  const ledger = new Map<bigint, LedgerJob>();
  const totals = { minted: 0n, burned: 0n, fees: 0n, refunded: 0n, posted: 0n };
  const epochMinted = new Map<string, bigint>();
  const epochEmission = new Map<string, bigint>();
  const seen = new Map<string, number>();
  const reverts = new Map<string, number>();

  beforeAll(async () => {
    h = await createMarketHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Applies one transaction's market events to the ledger, checking each flow as it goes. */
  function apply(events: MarketEvent[]) {
    for (const ev of events) {
      seen.set(ev.eventName, (seen.get(ev.eventName) ?? 0) + 1);
      const a = ev.args as unknown as Record<string, never>;
      const job = 'jobId' in a ? ledger.get(a.jobId as bigint) : undefined;
      switch (ev.eventName) {
        case 'JobPosted':
          ledger.set(a.jobId, { sender: a.sender, marketId: a.marketId, payment: a.payment, state: JobState.Posted, exits: 0 });
          totals.posted += a.payment as bigint;
          break;
        case 'JobClaimed':
          Object.assign(job!, { state: JobState.Claimed, provider: a.provider });
          break;
        case 'JobCompleted':
          job!.state = JobState.Completed;
          break;
        case 'JobReassigned':
          Object.assign(job!, { state: JobState.Posted, provider: undefined });
          break;
        case 'JobApproved':
          job!.state = JobState.Approved;
          break;
        case 'JobQuarantined':
          job!.state = JobState.Quarantined;
          break;
        case 'JobCancelled':
          job!.state = JobState.Cancelled;
          break;
        case 'JobExpired':
          job!.state = JobState.Expired;
          break;
        case 'JobRefunded':
          expect(a.amount).toBe(job!.payment);
          expect(a.to).toBe(job!.sender);
          job!.exits++;
          totals.refunded += a.amount as bigint;
          break;
        case 'JobSettled': {
          expect({ burned: a.burned, fee: a.fee }).toEqual(splitPayment(job!.payment));
          expect(a.provider).toBe(job!.provider);
          job!.exits++;
          totals.burned += a.burned as bigint;
          totals.fees += a.fee as bigint;
          break;
        }
        case 'MarketEpochClosed':
        case 'MarketEpochAvailability': {
          const key = `${a.marketId}:${a.epoch}`;
          const amount = (ev.eventName === 'MarketEpochClosed' ? a.emission : a.availabilityEmission) as bigint;
          epochEmission.set(key, (epochEmission.get(key) ?? 0n) + amount);
          break;
        }
        case 'ProviderRewarded': {
          const key = `${a.marketId}:${a.epoch}`;
          const amount = (a.workReward as bigint) + (a.availabilityReward as bigint);
          totals.minted += amount;
          epochMinted.set(key, (epochMinted.get(key) ?? 0n) + amount);
          break;
        }
      }
    }
  }

  it('holds after every step', async () => {
    const rng = createRng(SEED);
    const admin = h.admin;
    const treasury = await h.actor('inv-treasury');
    const validator = await h.actor('inv-validator');
    const outsider = await h.actor('inv-outsider');
    const senders: PrivateKeyAccount[] = [];
    for (let i = 0; i < 3; i++) senders.push(await h.actor(`inv-sender-${i}`, 5_000n * GRID));
    const supply0 = await h.supply();
    const senderStart = new Map(await Promise.all(senders.map(async (s) => [s.address, await h.balance(s.address)] as const)));

    await h.tx(admin, 'grantRole', [ROLES.VALIDATOR, validator.address]);
    apply(await h.tx(admin, 'setTreasury', [treasury.address]));
    // Two markets; the second needs 48 GB. Short windows and epochs so that every path is walked.
    apply(await h.tx(admin, 'createMarket', [0, 1, 'render-t1', 40_000_000n]));
    apply(await h.tx(admin, 'createMarket', [1, 2, 'inference-t2', 90_000_000n]));
    apply(await h.tx(admin, 'setMarketRequirements', [2, 48]));
    for (const id of [1, 2]) apply(await h.tx(admin, 'setMarketParams', [id, 4n, 15n, 500n * GRID, 50n * GRID]));
    const gpus = [
      ['RTX 3090', 24, 650, 1],
      ['RTX 4090', 24, 1300, 2],
      ['RTX A6000', 48, 800, 2],
      ['A100 80GB', 80, 1000, 3],
      ['H100 80GB', 80, 1500, 3],
    ] as const;
    const providers: PrivateKeyAccount[] = [];
    for (const [i, gpu] of gpus.entries()) {
      const p = await h.actor(`inv-provider-${i}`);
      apply(await h.tx(p, 'registerProvider', [...gpu]));
      providers.push(p);
    }
    const everyone = [...senders, ...providers, validator, outsider, admin];
    const closedEpochs: [number, bigint][] = [];

    const check = async (step: number, full: boolean) => {
      const [supply, marketBal, escrowed, treasuryBal, burned, fees, refunded, minted] = await Promise.all([
        h.supply(),
        h.balance(h.d.contracts.market),
        h.read<bigint>('escrowed'),
        h.balance(treasury.address),
        h.read<bigint>('totalBurned'),
        h.read<bigint>('totalFees'),
        h.read<bigint>('totalRefunded'),
        h.read<bigint>('totalRewardsMinted'),
      ]);
      const ctx = `after step ${step}`;
      const open = [...ledger.values()].filter((j) => OPEN.has(j.state));
      const openEscrow = open.reduce((s, j) => s + j.payment, 0n);
      expect({ ctx, supplyChange: supply - supply0 }).toEqual({ ctx, supplyChange: totals.minted - totals.burned });
      expect({ ctx, marketBal, escrowed }).toEqual({ ctx, marketBal: openEscrow, escrowed: openEscrow });
      expect({ ctx, treasuryBal, burned, fees, refunded, minted }).toEqual({
        ctx,
        treasuryBal: totals.fees,
        burned: totals.burned,
        fees: totals.fees,
        refunded: totals.refunded,
        minted: totals.minted,
      });
      // Conservation: everything posted is still escrowed, burned, paid as fee or refunded.
      expect(totals.posted).toBe(openEscrow + totals.burned + totals.fees + totals.refunded);
      for (const j of ledger.values()) expect(j.exits).toBe(OPEN.has(j.state) ? 0 : 1);
      for (const [key, amount] of epochMinted) expect(amount).toBeLessThanOrEqual(epochEmission.get(key) ?? 0n);
      for (const s of senders) {
        const mine = [...ledger.values()].filter((j) => j.sender === s.address);
        const spent = mine.reduce((acc, j) => acc + (j.state === JobState.Approved || OPEN.has(j.state) ? j.payment : 0n), 0n);
        expect(await h.balance(s.address)).toBe(senderStart.get(s.address)! - spent);
      }
      if (!full) return;
      for (let state = 0; state <= JobState.Expired; state++) {
        const count = [...ledger.values()].filter((j) => j.state === state).length;
        expect({ ctx, state, n: await h.read<bigint>('jobsInState', [state]) }).toEqual({ ctx, state, n: BigInt(count) });
      }
      for (const [id, j] of ledger) {
        const onChain = await h.read<{ state: number; payment: bigint }>('getJob', [id]);
        expect({ ctx, id, state: onChain.state, payment: onChain.payment }).toEqual({ ctx, id, state: j.state, payment: j.payment });
      }
    };

    const simulate = (from: PrivateKeyAccount, fn: string, args: readonly unknown[], blockTag: 'pending' | 'latest') =>
      h.client.simulateContract({
        address: h.d.contracts.market,
        abi: computeMarketAbi,
        account: from,
        functionName: fn,
        args,
        blockTag,
      } as never);
    const refused = (fn: string, err: unknown, allowed: string[]) => {
      const name = /Error: (\w+)\(/.exec((err as Error).message)?.[1] ?? 'unnamed';
      reverts.set(name, (reverts.get(name) ?? 0) + 1);
      expect({ fn, name, ok: allowed.includes(name) }).toEqual({ fn, name, ok: true });
      return false;
    };
    /** Runs a call if the chain accepts it; a refusal must be a named error from `allowed`. */
    const attempt = async (from: PrivateKeyAccount, fn: string, args: readonly unknown[], allowed: string[]) => {
      try {
        await simulate(from, fn, args, 'pending');
      } catch (err) {
        return refused(fn, err, allowed);
      }
      try {
        apply(await h.tx(from, fn, args));
      } catch {
        // Mined a second later than simulated (a loaded machine lets the wall clock overtake the
        // chain's): replay it in the block it reverted in ('latest' runs in the head's context).
        try {
          await simulate(from, fn, args, 'latest');
        } catch (err) {
          return refused(
            fn,
            err,
            allowed.filter((e) => /Deadline|ReviewWindow|EpochNotDue/.test(e)),
          );
        }
        throw new Error(`${fn} reverted on chain but not in a replay of its block`);
      }
      return true;
    };

    const jobIds = () => [...ledger.keys()];
    const inState = (...states: JobState[]) => [...ledger.entries()].filter(([, j]) => states.includes(j.state)).map(([id]) => id);
    const pickOr = <T>(xs: T[], fallback: T) => (xs.length > 0 ? rng.pick(xs) : fallback);
    const STATE_ERRORS = ['InvalidJobState', 'UnknownJob'];

    for (let step = 1; step <= STEPS; step++) {
      const r = rng.float();
      const now = await h.timestamp();
      if (r < 0.16) {
        const s = rng.pick(senders);
        const ttl = rng.chance(0.3) ? BigInt(rng.range(30, 90)) : 100_000n;
        await attempt(
          s,
          'postJob',
          [rng.range(1, 2), `0x${step.toString(16).padStart(64, '0')}`, BigInt(rng.range(100, 5_000)), now + ttl],
          [],
        );
      } else if (r < 0.3) {
        await attempt(
          rng.pick(providers),
          'claimJob',
          [pickOr(inState(JobState.Posted), 1n)],
          [...STATE_ERRORS, 'TierTooLow', 'VramTooLow', 'DeadlinePassed'],
        );
      } else if (r < 0.42) {
        const id = pickOr(inState(JobState.Claimed), 1n);
        const p = ledger.get(id)?.provider;
        const from = p && rng.chance(0.9) ? providers.find((x) => x.address === p)! : rng.pick(providers);
        await attempt(
          from,
          'completeJob',
          [id, `0x${'ab'.repeat(32)}`, BigInt(rng.range(0, 6_000))],
          [...STATE_ERRORS, 'NotJobProvider', 'ZeroWork', 'DeadlinePassed'],
        );
      } else if (r < 0.56) {
        const id = pickOr(inState(JobState.Completed), 1n);
        const j = ledger.get(id);
        const reviewer = rng.chance(0.2)
          ? validator
          : rng.chance(0.1)
            ? outsider
            : (senders.find((s) => s.address === j?.sender) ?? outsider);
        const fn = rng.chance(0.6) ? 'approveJob' : 'rejectJob';
        await attempt(reviewer, fn, [id], [...STATE_ERRORS, 'NotReviewer', 'ReviewWindowClosed']);
      } else if (r < 0.62) {
        await attempt(
          rng.pick(everyone),
          'settleExpiredReview',
          [pickOr(inState(JobState.Completed), 1n)],
          [...STATE_ERRORS, 'ReviewWindowOpen'],
        );
      } else if (r < 0.66) {
        const id = pickOr(inState(JobState.Posted), 1n);
        const owner = senders.find((s) => s.address === ledger.get(id)?.sender);
        await attempt(owner && rng.chance(0.8) ? owner : rng.pick(everyone), 'cancelJob', [id], [...STATE_ERRORS, 'NotJobSender']);
      } else if (r < 0.7) {
        await attempt(
          rng.pick(everyone),
          'expireJob',
          [pickOr(inState(JobState.Posted, JobState.Claimed), 1n)],
          ['UnknownJob', 'JobNotExpirable', 'DeadlineNotPassed'],
        );
      } else if (r < 0.77) {
        await attempt(
          rng.pick(providers),
          'heartbeat',
          [rng.range(1, 2)],
          ['TierTooLow', 'VramTooLow', 'AlreadyAvailable', 'AvailabilityRevoked'],
        );
      } else if (r < 0.81) {
        const marketId = rng.range(1, 2);
        const { epoch } = await h.read<{ epoch: bigint }>('getMarket', [marketId]);
        if (await attempt(rng.pick(everyone), 'closeEpoch', [marketId], ['EpochNotDue'])) closedEpochs.push([marketId, epoch]);
      } else if (r < 0.87) {
        const [marketId, epoch] = pickOr(closedEpochs, [1, 0n] as [number, bigint]);
        if (rng.chance(0.5)) {
          await attempt(
            rng.pick(everyone),
            'claimRewards',
            [rng.pick(providers).address, marketId, epoch],
            ['EpochNotClosed', 'RewardAlreadyClaimed', 'NothingToClaim'],
          );
        } else {
          await attempt(rng.pick(everyone), 'claimRewardsFor', [marketId, epoch, providers.map((p) => p.address)], ['EpochNotClosed']);
        }
      } else if (r < 0.95) {
        // Attack: any state-changing call on any job, typically one that is already settled or refunded.
        const id = pickOr(jobIds(), 1n);
        const fn = rng.pick(['approveJob', 'rejectJob', 'settleExpiredReview', 'cancelJob', 'expireJob', 'claimJob'] as const);
        const before = ledger.get(id)?.state;
        const ok = await attempt(
          rng.pick(everyone),
          fn,
          [id],
          [
            ...STATE_ERRORS,
            'NotReviewer',
            'NotJobSender',
            'ReviewWindowOpen',
            'ReviewWindowClosed',
            'JobNotExpirable',
            'DeadlineNotPassed',
            'DeadlinePassed',
            'ProviderNotRegistered',
            'TierTooLow',
            'VramTooLow',
          ],
        );
        if (before !== undefined && !OPEN.has(before)) expect({ id, fn, ok }).toEqual({ id, fn, ok: false });
      } else if (r < 0.98) {
        await h.mine(rng.range(1, 6));
      } else {
        await h.increaseTime(rng.range(20, 60));
      }
      await check(step, step % 50 === 0 || step === STEPS);
    }

    // The walk must have exercised every flow, or the invariants above prove little.
    for (const name of [
      'JobApproved',
      'JobRejected',
      'JobReassigned',
      'JobCancelled',
      'JobExpired',
      'JobRefunded',
      'JobSettled',
      'ProviderHeartbeat',
      'ProviderAvailabilityForfeited',
      'MarketEpochClosed',
      'ProviderRewarded',
    ]) {
      expect({ name, seen: (seen.get(name) ?? 0) > 0 }).toEqual({ name, seen: true });
    }
    expect([...reverts.keys()]).toEqual(expect.arrayContaining(['InvalidJobState', 'ReviewWindowOpen', 'RewardAlreadyClaimed']));
  });
});
