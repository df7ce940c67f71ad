// The compute market's lifecycle against a real devnet: configuration, qualification, review,
// refunds and BME epochs, with the exact token flows of each step and every revert by its name.
import { createWalletClient, type Hex, http, maxUint256, type PrivateKeyAccount } from 'viem';
import { hardhat } from 'viem/chains';
import {
  COMPUTE_SUBNET_TEMPO,
  createKeeper,
  epochReward,
  gridTokenAbi,
  JobState,
  quotePayment,
  ROLES,
  splitPayment,
  subnetRegistryAbi,
} from '../chain';
import { createMarketHarness, type MarketHarness, only } from './harness/market';

const GRID = 10n ** 18n;
const USD_PER_TOKEN = 25_000_000n; // the deployer's default oracle price, $0.25
const RENDER = 1; // tier 1, $0.40 per unit
const TRAINING = 2; // tier 3, $2.50 per unit, 80 GB of VRAM
const REVIEW_WINDOW = 5n;
const EPOCH_BLOCKS = 40n;
const WORK_EMISSION = 1_000n * GRID;
const AVAILABILITY_EMISSION = 100n * GRID;
const spec = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;

describe('compute market: lifecycle, BME and named errors', () => {
  let h: MarketHarness;
  let admin: PrivateKeyAccount;
  let sender: PrivateKeyAccount;
  let other: PrivateKeyAccount;
  let big: PrivateKeyAccount; // H100: tier 3, 80 GB
  let small: PrivateKeyAccount; // RTX 3090: tier 1, 24 GB
  let validator: PrivateKeyAccount;
  let treasury: PrivateKeyAccount;
  let deadline: bigint;

  beforeAll(async () => {
    h = await createMarketHarness();
    admin = h.admin;
    // One after another: the admin's mints must not race for its nonce.
    sender = await h.actor('sender', 10_000n * GRID);
    other = await h.actor('other', 10_000n * GRID);
    big = await h.actor('big');
    small = await h.actor('small');
    validator = await h.actor('validator');
    treasury = await h.actor('treasury');
    await h.tx(admin, 'grantRole', [ROLES.VALIDATOR, validator.address]);
    deadline = (await h.timestamp()) + 10_000n;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const post = async (marketId: number, work: bigint, n: number, dl = deadline) =>
    only(await h.tx(sender, 'postJob', [marketId, spec(n), work, dl]), 'JobPosted').jobId;
  const job = (id: bigint) =>
    h.read<{ state: number; failures: number; provider: string; reviewDeadline: bigint; payment: bigint }>('getJob', [id]);

  it('configures markets, each change as an event, and guards it', async () => {
    await h.fails(admin, 'setTreasury', ['0x0000000000000000000000000000000000000000'], 'ZeroAddress');
    expect(only(await h.tx(admin, 'setTreasury', [treasury.address]), 'TreasurySet').treasury).toBe(treasury.address);

    const created = await h.tx(admin, 'createMarket', [0, 1, 'render-t1', 40_000_000n]);
    expect(only(created, 'MarketCreated').marketId).toBe(RENDER);
    expect(only(created, 'MarketRequirementsSet')).toEqual({ marketId: RENDER, minVramGb: 0 });
    expect(only(created, 'MarketParamsSet')).toEqual({
      marketId: RENDER,
      reviewWindow: 600n,
      epochBlocks: 360n,
      workEmission: 1_000n * GRID,
      availabilityEmission: 100n * GRID,
    });
    await h.tx(admin, 'createMarket', [2, 3, 'training-t3', 200_000_000n]);
    expect(only(await h.tx(admin, 'setMarketPrice', [TRAINING, 250_000_000n]), 'MarketPriceSet')).toEqual({
      marketId: TRAINING,
      usdPerUnit: 250_000_000n,
    });
    expect(only(await h.tx(admin, 'setMarketRequirements', [TRAINING, 80]), 'MarketRequirementsSet').minVramGb).toBe(80);
    for (const id of [RENDER, TRAINING]) {
      await h.tx(admin, 'setMarketParams', [id, REVIEW_WINDOW, EPOCH_BLOCKS, WORK_EMISSION, AVAILABILITY_EMISSION]);
    }
    const m = await h.read<{ usdPerUnit: bigint; minVramGb: number; reviewWindow: bigint; epoch: bigint }>('getMarket', [TRAINING]);
    expect(m).toMatchObject({ usdPerUnit: 250_000_000n, minVramGb: 80, reviewWindow: REVIEW_WINDOW, epoch: 0n });

    await h.fails(admin, 'setMarketPrice', [RENDER, 0n], 'ZeroPrice');
    await h.fails(admin, 'setMarketPrice', [9, 1n], 'UnknownMarket');
    await h.fails(admin, 'setMarketRequirements', [9, 1], 'UnknownMarket');
    await h.fails(admin, 'setMarketParams', [RENDER, 0n, 1n, 0n, 0n], 'InvalidReviewWindow');
    await h.fails(admin, 'setMarketParams', [RENDER, 1n, 0n, 0n, 0n], 'InvalidEpochLength');
    await h.fails(admin, 'createMarket', [3, 1, 'x', 1n], 'InvalidKind');
    await h.fails(admin, 'createMarket', [0, 4, 'x', 1n], 'InvalidTier');
    await h.fails(admin, 'createMarket', [0, 1, '', 1n], 'EmptyName');
    await h.fails(admin, 'createMarket', [0, 1, 'x', 0n], 'ZeroPrice');
    await h.fails(admin, 'setOraclePrice', [0n], 'ZeroPrice');
    for (const [fn, args] of [
      ['setMarketPrice', [RENDER, 1n]],
      ['setMarketRequirements', [RENDER, 1]],
      ['setMarketParams', [RENDER, 1n, 1n, 0n, 0n]],
      ['setTreasury', [other.address]],
      ['createMarket', [0, 1, 'x', 1n]],
    ] as const) {
      await h.fails(other, fn, args, 'AccessControlUnauthorizedAccount');
    }
  });

  it('registers and updates providers; only qualified ones claim (tier and VRAM)', async () => {
    await h.fails(big, 'updateProvider', ['H100 80GB', 80, 1500, 3], 'ProviderNotRegistered');
    await h.fails(big, 'registerProvider', ['', 80, 1500, 3], 'EmptyName');
    await h.fails(big, 'registerProvider', ['H100 80GB', 80, 1500, 0], 'InvalidTier');
    await h.tx(big, 'registerProvider', ['A100 80GB', 80, 1000, 3]);
    await h.fails(big, 'registerProvider', ['A100 80GB', 80, 1000, 3], 'ProviderAlreadyRegistered');
    expect(only(await h.tx(big, 'updateProvider', ['H100 80GB', 80, 1500, 3]), 'ProviderUpdated')).toEqual({
      provider: big.address,
      gpuModel: 'H100 80GB',
      vramGb: 80,
      benchmarkScore: 1500,
      tier: 3,
    });
    await h.fails(big, 'updateProvider', ['', 80, 1500, 3], 'EmptyName');
    await h.fails(big, 'updateProvider', ['H100 80GB', 80, 1500, 4], 'InvalidTier');
    await h.tx(small, 'registerProvider', ['RTX 3090', 24, 650, 1]);

    const jobId = await post(TRAINING, 1_000n, 1);
    await h.fails(small, 'claimJob', [jobId], 'TierTooLow');
    // Tier 3 but only 48 GB: the VRAM rule alone refuses it.
    await h.tx(small, 'updateProvider', ['RTX A6000', 48, 800, 3]);
    await h.fails(small, 'claimJob', [jobId], 'VramTooLow');
    await h.fails(small, 'heartbeat', [TRAINING], 'VramTooLow');
    await h.fails(other, 'heartbeat', [TRAINING], 'ProviderNotRegistered');
    await h.tx(small, 'updateProvider', ['RTX 3090', 24, 650, 1]);
    await h.tx(big, 'claimJob', [jobId]);
    await h.tx(big, 'completeJob', [jobId, spec(101), 1_000n]);
    await h.tx(sender, 'approveJob', [jobId]);
  });

  it('approval burns 95%, pays 5% to the treasury, credits capped work to the epoch, and pays once', async () => {
    const work = 2_500n;
    const payment = quotePayment(work, 40_000_000n, USD_PER_TOKEN);
    expect(payment).toBe(4n * GRID);
    const escrowBefore = await h.read<bigint>('escrowed');
    const jobId = await post(RENDER, work, 2);
    expect(await h.read<bigint>('escrowed')).toBe(escrowBefore + payment);
    await h.fails(small, 'completeJob', [jobId, spec(1), 1n], 'InvalidJobState');
    await h.tx(small, 'claimJob', [jobId]);
    await h.fails(big, 'completeJob', [jobId, spec(1), 1n], 'NotJobProvider');
    await h.fails(small, 'completeJob', [jobId, spec(1), 0n], 'ZeroWork');
    await h.fails(sender, 'approveJob', [jobId], 'InvalidJobState');
    // Reports more work than was paid for: only the estimate counts toward the emission share.
    const completed = await h.tx(small, 'completeJob', [jobId, spec(102), 3_000n]);
    expect(only(completed, 'JobCompleted').workUnits).toBe(3_000n);
    const j = await job(jobId);
    expect(j.state).toBe(JobState.Completed);
    expect(j.reviewDeadline).toBe((await h.blockNumber()) + REVIEW_WINDOW);

    await h.fails(other, 'approveJob', [jobId], 'NotReviewer');
    await h.fails(big, 'rejectJob', [jobId], 'NotReviewer');
    await h.fails(other, 'settleExpiredReview', [jobId], 'ReviewWindowOpen');
    const [supply, treasuryBal, marketBal] = await Promise.all([h.supply(), h.balance(treasury.address), h.balance(h.d.contracts.market)]);
    const events = await h.tx(sender, 'approveJob', [jobId]);
    const { burned, fee } = splitPayment(payment);
    expect(only(events, 'JobApproved')).toEqual({ jobId, by: sender.address, automatic: false });
    expect(only(events, 'JobSettled')).toEqual({ jobId, provider: small.address, epoch: 0n, workCredited: work, burned, fee });
    expect(burned).toBe((payment * 95n) / 100n);
    expect(await h.supply()).toBe(supply - burned);
    expect(await h.balance(treasury.address)).toBe(treasuryBal + fee);
    expect(await h.balance(h.d.contracts.market)).toBe(marketBal - payment);
    expect(await h.read<bigint>('escrowed')).toBe(escrowBefore);
    expect((await job(jobId)).state).toBe(JobState.Approved);

    // No second payment by any path.
    await h.fails(sender, 'approveJob', [jobId], 'InvalidJobState');
    await h.fails(validator, 'rejectJob', [jobId], 'InvalidJobState');
    await h.fails(other, 'settleExpiredReview', [jobId], 'InvalidJobState');
    await h.fails(other, 'expireJob', [jobId], 'JobNotExpirable');
    await h.fails(sender, 'cancelJob', [jobId], 'InvalidJobState');
    await h.fails(big, 'claimJob', [jobId], 'InvalidJobState');
    await h.fails(other, 'approveJob', [99n], 'UnknownJob');
    await h.fails(other, 'getJob', [0n], 'UnknownJob');
  });

  it('rejection reassigns the job; the third quarantines and refunds it', async () => {
    const jobId = await post(RENDER, 1_000n, 3);
    const payment = (await job(jobId)).payment;
    for (let failure = 1; failure <= 3; failure++) {
      await h.tx(small, 'claimJob', [jobId]);
      await h.tx(small, 'completeJob', [jobId, spec(200 + failure), 1_000n]);
      const reviewer = failure === 2 ? validator : sender; // a validator may reject too
      const balance = await h.balance(sender.address);
      const events = await h.tx(reviewer, 'rejectJob', [jobId]);
      expect(only(events, 'JobRejected')).toEqual({ jobId, provider: small.address, by: reviewer.address, failures: failure });
      const j = await job(jobId);
      expect(j.failures).toBe(failure);
      expect(j.provider).toBe('0x0000000000000000000000000000000000000000');
      if (failure < 3) {
        expect(only(events, 'JobReassigned')).toEqual({ jobId, failures: failure });
        expect(j.state).toBe(JobState.Posted);
      } else {
        expect(only(events, 'JobQuarantined')).toEqual({ jobId, failures: 3 });
        expect(only(events, 'JobRefunded')).toEqual({ jobId, to: sender.address, amount: payment });
        expect(j.state).toBe(JobState.Quarantined);
        expect(await h.balance(sender.address)).toBe(balance + payment);
      }
    }
    await h.fails(sender, 'approveJob', [jobId], 'InvalidJobState');
    await h.fails(small, 'claimJob', [jobId], 'InvalidJobState');
    await h.fails(other, 'expireJob', [jobId], 'JobNotExpirable');
    await h.fails(sender, 'cancelJob', [jobId], 'InvalidJobState');
  });

  it('unreviewed work auto-approves after the review window, by anyone, single or batched', async () => {
    const a = await post(RENDER, 1_500n, 4);
    const b = await post(RENDER, 1_700n, 5);
    for (const id of [a, b]) {
      await h.tx(big, 'claimJob', [id]);
      await h.tx(big, 'completeJob', [id, spec(300), 1_000n]);
    }
    const { reviewDeadline } = await job(b);
    await h.mine(Number(reviewDeadline - (await h.blockNumber()) - 2n));
    // The next block is the last one of b's window: rejection still allowed, settlement not.
    await h.fails(other, 'settleExpiredReview', [b], 'ReviewWindowOpen');
    await h.mine(1);
    await h.fails(sender, 'rejectJob', [a], 'ReviewWindowClosed');
    await h.fails(sender, 'rejectJob', [b], 'ReviewWindowClosed');
    const events = await h.tx(other, 'settleExpiredReview', [a]);
    expect(only(events, 'JobApproved')).toEqual({ jobId: a, by: other.address, automatic: true });
    expect(only(events, 'JobSettled').workCredited).toBe(1_000n); // below the estimate: as reported
    // The batch skips what it cannot settle (a is done, 99 does not exist) instead of reverting.
    const batch = await h.tx(other, 'settleExpiredReviews', [[a, b, 99n]]);
    expect(batch.filter((e) => e.eventName === 'JobSettled').map((e) => (e.args as { jobId: bigint }).jobId)).toEqual([b]);
    expect((await job(b)).state).toBe(JobState.Approved);
  });

  it('cancels unclaimed jobs for their sender only, and expires late jobs for anyone', async () => {
    const open = await post(RENDER, 1_000n, 6);
    const payment = (await job(open)).payment;
    await h.fails(other, 'cancelJob', [open], 'NotJobSender');
    const balance = await h.balance(sender.address);
    const cancelled = await h.tx(sender, 'cancelJob', [open]);
    expect(only(cancelled, 'JobCancelled').jobId).toBe(open);
    expect(only(cancelled, 'JobRefunded')).toEqual({ jobId: open, to: sender.address, amount: payment });
    expect(await h.balance(sender.address)).toBe(balance + payment);
    await h.fails(sender, 'cancelJob', [open], 'InvalidJobState');
    await h.fails(small, 'claimJob', [open], 'InvalidJobState');

    const now = await h.timestamp();
    await h.fails(sender, 'postJob', [RENDER, spec(7), 1_000n, now], 'DeadlinePassed');
    await h.fails(sender, 'postJob', [RENDER, spec(7), 0n, now + 100n], 'ZeroWork');
    await h.fails(sender, 'postJob', [7, spec(7), 1_000n, now + 100n], 'UnknownMarket');
    const posted = await post(RENDER, 1_000n, 7, now + 100n);
    const claimed = await post(RENDER, 1_000n, 8, now + 100n);
    await h.tx(small, 'claimJob', [claimed]);
    const claimedCancel = await post(RENDER, 1_000n, 9, now + 100n);
    await h.tx(small, 'claimJob', [claimedCancel]);
    await h.fails(sender, 'cancelJob', [claimedCancel], 'InvalidJobState');
    await h.fails(other, 'expireJob', [posted], 'DeadlineNotPassed');
    await h.increaseTime(200);
    await h.fails(big, 'claimJob', [posted], 'DeadlinePassed');
    await h.fails(small, 'completeJob', [claimed, spec(1), 1_000n], 'DeadlinePassed');
    const expired = await h.tx(other, 'expireJob', [posted]);
    expect(only(expired, 'JobExpired').jobId).toBe(posted);
    expect(only(expired, 'JobRefunded').to).toBe(sender.address);
    await h.fails(other, 'expireJob', [posted], 'JobNotExpirable');
    const batch = await h.tx(other, 'expireJobs', [[posted, claimed, claimedCancel]]);
    expect(batch.filter((e) => e.eventName === 'JobExpired')).toHaveLength(2);
    expect((await job(claimed)).state).toBe(JobState.Expired);
    deadline = (await h.timestamp()) + 100_000n;
  });

  it('closes market epochs in O(1) and mints each provider its pro-rata and availability reward once', async () => {
    // Open a fresh epoch for both markets so that its contents are only what this test does.
    const m = await h.read<{ epoch: bigint; epochStartBlock: bigint }>('getMarket', [RENDER]);
    await h.mine(Math.max(0, Number(m.epochStartBlock + EPOCH_BLOCKS - (await h.blockNumber()))));
    await h.tx(other, 'closeDueEpochs', [[RENDER, TRAINING]]);
    const epoch = m.epoch + 1n;
    expect((await h.read<{ epoch: bigint }>('getMarket', [RENDER])).epoch).toBe(epoch);
    await h.fails(other, 'closeEpoch', [RENDER], 'EpochNotDue');
    await h.fails(other, 'closeEpoch', [9], 'UnknownMarket');

    const hb = await h.tx(small, 'heartbeat', [RENDER]);
    expect(only(hb, 'ProviderHeartbeat')).toEqual({ provider: small.address, marketId: RENDER, epoch });
    await h.fails(small, 'heartbeat', [RENDER], 'AlreadyAvailable');
    await h.tx(big, 'heartbeat', [RENDER]);
    // big does two jobs (3 + 1 units), small one (2 units), then small gets a job rejected,
    // which forfeits its availability in this epoch.
    const works: [PrivateKeyAccount, bigint][] = [
      [big, 3_000n],
      [small, 2_000n],
      [big, 1_000n],
    ];
    for (const [i, [p, work]] of works.entries()) {
      const id = await post(RENDER, work, 400 + i);
      await h.tx(p, 'claimJob', [id]);
      await h.tx(p, 'completeJob', [id, spec(1), work]);
      await h.tx(sender, 'approveJob', [id]);
    }
    const bad = await post(RENDER, 1_000n, 410);
    await h.tx(small, 'claimJob', [bad]);
    await h.tx(small, 'completeJob', [bad, spec(1), 1_000n]);
    const rejected = await h.tx(sender, 'rejectJob', [bad]);
    expect(only(rejected, 'ProviderAvailabilityForfeited')).toEqual({ provider: small.address, marketId: RENDER, epoch });
    await h.fails(small, 'heartbeat', [RENDER], 'AvailabilityRevoked');
    await h.fails(big, 'claimRewards', [big.address, RENDER, epoch], 'EpochNotClosed');
    expect(await h.read<[bigint, bigint]>('pendingRewards', [big.address, RENDER, epoch])).toEqual([0n, 0n]);

    await h.mine(Number(EPOCH_BLOCKS));
    const supplyBefore = await h.supply();
    const closed = await h.tx(other, 'closeEpoch', [RENDER]);
    expect(only(closed, 'MarketEpochClosed')).toEqual({ marketId: RENDER, epoch, emission: WORK_EMISSION, workApproved: 6_000n });
    expect(only(closed, 'MarketEpochAvailability')).toEqual({
      marketId: RENDER,
      epoch,
      availabilityEmission: AVAILABILITY_EMISSION,
      availableProviders: 1,
    });
    // Closing mints nothing; claims do.
    expect(await h.supply()).toBe(supplyBefore);
    const totals = {
      workEmission: WORK_EMISSION,
      workApproved: 6_000n,
      availabilityEmission: AVAILABILITY_EMISSION,
      availableProviders: 1,
    };
    const bigReward = epochReward(totals, { workApproved: 4_000n, available: true });
    const smallReward = epochReward(totals, { workApproved: 2_000n, available: false });
    expect(bigReward).toEqual({ workReward: (WORK_EMISSION * 2n) / 3n, availabilityReward: AVAILABILITY_EMISSION });
    expect(await h.read<[bigint, bigint]>('pendingRewards', [big.address, RENDER, epoch])).toEqual([
      bigReward.workReward,
      bigReward.availabilityReward,
    ]);

    const bigBalance = await h.balance(big.address);
    const rewarded = await h.tx(other, 'claimRewards', [big.address, RENDER, epoch]);
    expect(only(rewarded, 'ProviderRewarded')).toEqual({ provider: big.address, marketId: RENDER, epoch, ...bigReward });
    expect(await h.balance(big.address)).toBe(bigBalance + bigReward.workReward + bigReward.availabilityReward);
    await h.fails(big, 'claimRewards', [big.address, RENDER, epoch], 'RewardAlreadyClaimed');
    await h.fails(other, 'claimRewards', [other.address, RENDER, epoch], 'NothingToClaim');
    // The batch skips big (claimed) and other (nothing) and pays small.
    const batch = await h.tx(other, 'claimRewardsFor', [RENDER, epoch, [big.address, other.address, small.address]]);
    expect(only(batch, 'ProviderRewarded')).toEqual({ provider: small.address, marketId: RENDER, epoch, ...smallReward });
    const minted = bigReward.workReward + bigReward.availabilityReward + smallReward.workReward;
    expect(await h.supply()).toBe(supplyBefore + minted);
    expect(WORK_EMISSION + AVAILABILITY_EMISSION - minted).toBeLessThan(2n); // rounding dust, never minted

    // An epoch in which nothing happened mints nothing at all.
    await h.mine(Number(EPOCH_BLOCKS));
    const empty = await h.tx(other, 'closeEpoch', [RENDER]);
    expect(only(empty, 'MarketEpochClosed')).toEqual({ marketId: RENDER, epoch: epoch + 1n, emission: 0n, workApproved: 0n });
    expect(only(empty, 'MarketEpochAvailability').availabilityEmission).toBe(0n);
    await h.fails(big, 'claimRewards', [big.address, RENDER, epoch + 1n], 'NothingToClaim');
    await h.fails(big, 'claimRewardsFor', [RENDER, epoch + 2n, [big.address]], 'EpochNotClosed');
  });

  it('keeps the running totals equal to the token flows', async () => {
    const [burned, fees, refunded, minted, escrowed] = await Promise.all(
      ['totalBurned', 'totalFees', 'totalRefunded', 'totalRewardsMinted', 'escrowed'].map((f) => h.read<bigint>(f)),
    );
    expect(await h.balance(treasury.address)).toBe(fees);
    expect(await h.balance(h.d.contracts.market)).toBe(escrowed);
    // Minted to the test's actors: 2 x 10,000 GRID.
    expect(await h.supply()).toBe(20_000n * GRID + minted! - burned!);
    expect(refunded).toBeGreaterThan(0n);
  });

  it("the compute subnet's validator-permit holders review jobs; a neuron without a permit does not", async () => {
    const reviewer = await h.actor('permit-validator', 1_000n * GRID);
    const w = createWalletClient({ account: reviewer, chain: hardhat, transport: http(h.devnet.rpcUrl) });
    const registry = { address: h.d.contracts.registry, abi: subnetRegistryAbi } as const;
    const send = async (p: Promise<Hex>) => {
      const r = await h.client.waitForTransactionReceipt({ hash: await p });
      expect(r.status).toBe('success');
    };
    await send(
      w.writeContract({ address: h.d.contracts.token, abi: gridTokenAbi, functionName: 'approve', args: [registry.address, maxUint256] }),
    );
    // Its own hotkey on the compute subnet (netuid 1), with stake: the first epoch gives it a permit.
    await send(w.writeContract({ ...registry, functionName: 'registerNeuron', args: [1, reviewer.address] }));
    await send(w.writeContract({ ...registry, functionName: 'addStake', args: [reviewer.address, 1, 100n * GRID] }));
    const jobId = await post(RENDER, 1_000n, 900);
    await h.tx(small, 'claimJob', [jobId]);
    await h.tx(small, 'completeJob', [jobId, spec(900), 1_000n]);
    expect(await h.read<boolean>('isValidator', [reviewer.address])).toBe(false);
    await h.fails(reviewer, 'approveJob', [jobId], 'NotReviewer');

    await h.mine(COMPUTE_SUBNET_TEMPO);
    const posted = await createKeeper({ rpcUrl: h.devnet.rpcUrl, deployment: h.d }).tick();
    expect(posted.find((p) => p.netuid === 1)?.built.result.newPermit[0]).toBe(true);
    expect(await h.read<boolean>('isValidator', [reviewer.address])).toBe(true);
    expect(await h.read<boolean>('isValidator', [other.address])).toBe(false);
    await h.fails(other, 'approveJob', [jobId], 'NotReviewer');
    expect(only(await h.tx(reviewer, 'approveJob', [jobId]), 'JobApproved')).toEqual({ jobId, by: reviewer.address, automatic: false });
  });

  it("batch entry points post, claim, complete and approve several jobs in one call, with the single calls' events, all or nothing", async () => {
    const works = [1_000n, 2_000n, 3_000n];
    const payments = works.map((w) => quotePayment(w, 40_000_000n, USD_PER_TOKEN));
    const [balance, escrow] = await Promise.all([h.balance(sender.address), h.read<bigint>('escrowed')]);
    const next = (await h.read<bigint>('jobCount')) + 1n;
    const args = [works.map(() => RENDER), works.map((_, i) => spec(1000 + i)), works, works.map(() => deadline)] as const;
    const posted = await h.tx(sender, 'postJobs', args);
    const ids = works.map((_, i) => next + BigInt(i));
    expect(posted.map((e) => e.eventName)).toEqual(['JobPosted', 'JobPosted', 'JobPosted']);
    expect(posted.map((e) => e.args)).toEqual(
      ids.map((jobId, i) => ({
        jobId,
        marketId: RENDER,
        sender: sender.address,
        specHash: spec(1000 + i),
        workEstimate: works[i],
        payment: payments[i],
        deadline,
      })),
    );
    const total = payments.reduce((a, b) => a + b, 0n);
    expect(await h.balance(sender.address)).toBe(balance - total);
    expect(await h.read<bigint>('escrowed')).toBe(escrow + total);

    await h.fails(sender, 'postJobs', [[], [], [], []], 'EmptyBatch');
    await h.fails(sender, 'postJobs', [[RENDER], [spec(1), spec(2)], [1n], [deadline]], 'BatchLengthMismatch');
    // One bad job reverts the whole batch: nothing is posted.
    await h.fails(
      sender,
      'postJobs',
      [
        [RENDER, 9],
        [spec(1), spec(2)],
        [1n, 1n],
        [deadline, deadline],
      ],
      'UnknownMarket',
    );
    await h.fails(
      sender,
      'postJobs',
      [
        [RENDER, RENDER],
        [spec(1), spec(2)],
        [1n, 0n],
        [deadline, deadline],
      ],
      'ZeroWork',
    );
    expect(await h.read<bigint>('jobCount')).toBe(ids[2]);

    await h.fails(small, 'claimJobs', [[]], 'EmptyBatch');
    await h.fails(small, 'claimJobs', [[ids[0], 99n]], 'UnknownJob');
    await h.fails(small, 'claimJobs', [[ids[0], ids[0]]], 'InvalidJobState');
    const claimed = await h.tx(small, 'claimJobs', [ids]);
    expect(claimed.map((e) => [e.eventName, e.args])).toEqual(ids.map((jobId) => ['JobClaimed', { jobId, provider: small.address }]));

    await h.fails(small, 'completeJobs', [[], [], []], 'EmptyBatch');
    await h.fails(small, 'completeJobs', [ids, [spec(1)], works], 'BatchLengthMismatch');
    await h.fails(big, 'completeJobs', [ids.slice(0, 1), [spec(1)], works.slice(0, 1)], 'NotJobProvider');
    await h.fails(small, 'completeJobs', [ids.slice(0, 2), [spec(1), spec(2)], [1n, 0n]], 'ZeroWork');
    const completed = await h.tx(small, 'completeJobs', [ids, ids.map((_, i) => spec(2000 + i)), works]);
    expect(completed.map((e) => [e.eventName, e.args])).toEqual(
      ids.map((jobId, i) => ['JobCompleted', { jobId, provider: small.address, resultHash: spec(2000 + i), workUnits: works[i] }]),
    );
    for (const id of ids) expect((await job(id)).state).toBe(JobState.Completed);

    await h.fails(sender, 'approveJobs', [[]], 'EmptyBatch');
    await h.fails(other, 'approveJobs', [ids], 'NotReviewer');
    await h.fails(sender, 'approveJobs', [[ids[0], 99n]], 'UnknownJob');
    const supply = await h.supply();
    const approved = await h.tx(sender, 'approveJobs', [ids.slice(0, 2)]);
    expect(approved.map((e) => e.eventName)).toEqual(['JobApproved', 'JobSettled', 'JobApproved', 'JobSettled']);
    const burned = payments.slice(0, 2).reduce((a, p) => a + splitPayment(p).burned, 0n);
    expect(await h.supply()).toBe(supply - burned);
    await h.fails(sender, 'approveJobs', [[ids[2], ids[0]]], 'InvalidJobState');
    expect((await job(ids[2])).state).toBe(JobState.Completed);
  });
});
