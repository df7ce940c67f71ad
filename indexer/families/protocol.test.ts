// The deeper protocol transitions of the handler families, without a database.
import { JobState, StatPeriod } from '../../schema';
import { BatchState } from '../state';
import { applyLedger, type LedgerEvent } from './ledger';
import { applyMarket, averagePrice, type MarketEvent } from './market';
import type { EventMeta } from './meta';
import { applyRegistry, type Hyperparameters, type RegistryEvent } from './registry';
import { applyToken, type TokenEvent } from './token';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';
const C = '0x00000000000000000000000000000000000000cc';
let n = 0;
const meta = (block: number, iso = '2026-03-01T10:00:00Z'): EventMeta => ({
  id: `log-${n++}`,
  block,
  timestamp: new Date(iso),
  txHash: '0xtx',
});

const hp: Hyperparameters = {
  tempo: 10,
  maxUids: 2,
  maxAllowedValidators: 1,
  kappa: 32767,
  bondsMovingAverage: 900000,
  bondsPenalty: 65535,
  yuma3: true,
  liquidAlpha: false,
  alphaLow: 45875,
  alphaHigh: 58982,
  alphaSigmoidSteepness: 1000,
  activityCutoff: 5000n,
  immunityPeriod: 100n,
  weightsRateLimit: 1n,
  stakeThreshold: 0n,
};

function subnetWithNeurons(s: BatchState): void {
  const evs: RegistryEvent[] = [
    { event: 'HyperparametersSet', ...meta(1), netuid: 1, hyperparameters: hp },
    { event: 'SubnetRegistered', ...meta(1), netuid: 1, owner: A, name: 'x', tempo: 10, registrationCost: 1n },
    { event: 'NeuronRegistered', ...meta(2), netuid: 1, uid: 0, hotkey: A, coldkey: A },
    { event: 'NeuronRegistered', ...meta(2), netuid: 1, uid: 1, hotkey: B, coldkey: B },
    { event: 'StakeAdded', ...meta(3), coldkey: C, hotkey: B, netuid: 1, amount: 9n, newStake: 9n, hotkeyStake: 9n, subnetStake: 9n },
  ];
  for (const e of evs) applyRegistry(s, e);
}

describe('registry: hyperparameters, weights, replacement', () => {
  it('applies hyperparameters announced before the subnet, in the same transaction', () => {
    const s = new BatchState();
    subnetWithNeurons(s);
    const subnet = s.subnets.require('1', 'subnet');
    expect([subnet.kappa, subnet.yuma3, subnet.immunityPeriod, subnet.maxUids]).toEqual([32767, true, 100n, 2]);
  });

  it('stores weights, and a replacement frees the slot, keeps the count and lets the old stakers leave', () => {
    const s = new BatchState();
    subnetWithNeurons(s);
    applyRegistry(s, { event: 'WeightsSet', ...meta(4), netuid: 1, uid: 1, uids: [0], values: [65535] });
    expect(s.weights.require('1-1', 'weights').values).toEqual([65535]);
    expect(s.neurons.require('1-1', 'neuron').lastUpdateBlock).toBe(4);
    applyRegistry(s, { event: 'NeuronReplaced', ...meta(5), netuid: 1, uid: 1, oldHotkey: B, newHotkey: C, coldkey: C });
    applyRegistry(s, { event: 'NeuronRegistered', ...meta(5), netuid: 1, uid: 1, hotkey: C, coldkey: C });
    const subnet = s.subnets.require('1', 'subnet');
    expect(subnet.neuronCount).toBe(2);
    expect(s.weights.get('1-1')).toBeUndefined();
    expect(s.neurons.require('1-1', 'neuron').hotkey).toBe(C);
    expect(s.neuronByKey(1, B)).toBeUndefined();
    // The replaced hotkey's staker takes the stake back: the position and the subnet change, no neuron does.
    applyRegistry(s, {
      event: 'StakeRemoved',
      ...meta(6),
      coldkey: C,
      hotkey: B,
      netuid: 1,
      amount: 9n,
      newStake: 0n,
      hotkeyStake: 0n,
      subnetStake: 0n,
    });
    expect(subnet.totalStake).toBe(0n);
    expect(s.neurons.require('1-1', 'neuron').stake).toBe(0n);
    // Adding stake to a hotkey that is no neuron is something the contract refuses: a wrong chain.
    expect(() =>
      applyRegistry(s, {
        event: 'StakeAdded',
        ...meta(7),
        coldkey: C,
        hotkey: B,
        netuid: 1,
        amount: 1n,
        newStake: 1n,
        hotkeyStake: 1n,
        subnetStake: 1n,
      }),
    ).toThrow(/not a neuron/);
  });

  it('moves the compute flag to the subnet named last', () => {
    const s = new BatchState();
    subnetWithNeurons(s);
    applyRegistry(s, { event: 'SubnetRegistered', ...meta(8), netuid: 2, owner: A, name: 'y', tempo: 10, registrationCost: 1n });
    applyRegistry(s, { event: 'ComputeSubnetSet', ...meta(8), netuid: 1 });
    applyRegistry(s, { event: 'ComputeSubnetSet', ...meta(9), netuid: 2 });
    expect(s.subnets.require('1', 'subnet').isCompute).toBe(false);
    expect(s.subnets.require('2', 'subnet').isCompute).toBe(true);
  });
});

describe('ledger: epochs', () => {
  it('records the epoch, each neuron result, and the neurons last values and total emission', () => {
    const s = new BatchState();
    subnetWithNeurons(s);
    const neuronEpoch = (epoch: bigint, uid: number, emission: bigint, permit: boolean): LedgerEvent => ({
      event: 'NeuronEpoch',
      ...meta(20),
      netuid: 1,
      epoch,
      uid,
      stakeWeight: 100,
      consensus: 200,
      incentive: uid === 1 ? 65535 : 0,
      dividends: uid === 0 ? 65535 : 0,
      validatorTrust: 300,
      rank: 400,
      trust: 500,
      emission,
      validatorPermit: permit,
    });
    for (const e of [
      neuronEpoch(0n, 0, 40n, true),
      neuronEpoch(0n, 1, 60n, false),
      {
        event: 'EpochFinalized',
        ...meta(20),
        netuid: 1,
        epoch: 0n,
        epochBlock: 19n,
        inputsHash: '0xab',
        emission: 120n,
        ownerCut: 20n,
      } as LedgerEvent,
      neuronEpoch(1n, 1, 5n, false),
    ])
      applyLedger(s, e);
    const e0 = s.subnetEpochs.require('1-0', 'epoch');
    expect([e0.block, e0.emission, e0.ownerCut, e0.neuronCount, e0.inputsHash]).toEqual([19, 120n, 20n, 2, '0xab']);
    const subnet = s.subnets.require('1', 'subnet');
    expect([subnet.epochCount, subnet.lastEpochBlock, subnet.totalEmission, subnet.lastEpochEmission]).toEqual([1, 19, 120n, 120n]);
    const miner = s.neurons.require('1-1', 'neuron');
    expect([miner.incentive, miner.lastEmission, miner.totalEmission, miner.validatorPermit]).toEqual([65535, 5n, 65n, false]);
    expect(s.neurons.require('1-0', 'neuron').validatorPermit).toBe(true);
    expect(s.neuronEpochs.rows.map((r) => [r.id, r.hotkey])).toEqual([
      ['1-0-0', A],
      ['1-0-1', B],
      ['1-1-1', B],
    ]);
  });
});

describe('market: review, refunds, burn-mint-equilibrium', () => {
  function setup(s: BatchState): void {
    const evs: MarketEvent[] = [
      { event: 'MarketCreated', ...meta(1), marketId: 1, kind: 0, tier: 1, name: 'render', usdPerUnit: 100n },
      {
        event: 'MarketParamsSet',
        ...meta(1),
        marketId: 1,
        reviewWindow: 10n,
        epochBlocks: 50n,
        workEmission: 1000n,
        availabilityEmission: 100n,
      },
      { event: 'ProviderRegistered', ...meta(1), provider: B, gpuModel: 'A100', vramGb: 80, benchmarkScore: 900, tier: 2 },
      { event: 'ProviderRegistered', ...meta(1), provider: C, gpuModel: 'T4', vramGb: 16, benchmarkScore: 200, tier: 1 },
      {
        event: 'JobPosted',
        ...meta(2),
        jobId: 1n,
        marketId: 1,
        sender: A,
        specHash: '0x1',
        workEstimate: 2000n,
        payment: 1000n,
        deadline: 99n,
      },
    ];
    for (const e of evs) applyMarket(s, e);
  }

  it('approves and settles: burned and fee, work credited to the provider epoch, stats per hour and day', () => {
    const s = new BatchState();
    setup(s);
    for (const e of [
      { event: 'JobClaimed', ...meta(3), jobId: 1n, provider: B },
      { event: 'JobCompleted', ...meta(4), jobId: 1n, provider: B, resultHash: '0x2', workUnits: 2500n },
      { event: 'JobApproved', ...meta(5, '2026-03-01T11:30:00Z'), jobId: 1n, by: A, automatic: false },
      {
        event: 'JobSettled',
        ...meta(5, '2026-03-01T11:30:00Z'),
        jobId: 1n,
        provider: B,
        epoch: 0n,
        workCredited: 2000n,
        burned: 950n,
        fee: 50n,
      },
      { event: 'ProviderHeartbeat', ...meta(6), provider: B, marketId: 1, epoch: 0n },
      { event: 'MarketEpochClosed', ...meta(50), marketId: 1, epoch: 0n, emission: 1000n, workApproved: 2000n },
      { event: 'MarketEpochAvailability', ...meta(50), marketId: 1, epoch: 0n, availabilityEmission: 100n, availableProviders: 1 },
      { event: 'ProviderRewarded', ...meta(51), provider: B, marketId: 1, epoch: 0n, workReward: 1000n, availabilityReward: 100n },
    ] as MarketEvent[])
      applyMarket(s, e);
    const job = s.jobs.require('1', 'job');
    expect([job.state, job.burned, job.fee, job.settledEpoch, job.approvedBy, job.autoApproved]).toEqual([
      JobState.APPROVED,
      950n,
      50n,
      0,
      A,
      false,
    ]);
    const m = s.markets.require('1', 'market');
    expect([m.approvedJobCount, m.burned, m.fees, m.minted, m.epochCount, m.openJobCount, m.epochBlocks]).toEqual([
      1,
      950n,
      50n,
      1100n,
      1,
      0,
      50n,
    ]);
    const p = s.providers.require(B, 'provider');
    expect([p.jobsApproved, p.successRate, p.approvedWorkUnits, p.earnings, p.workRewards]).toEqual([1, 1, 2000n, 1100n, 1000n]);
    const pe = s.providerEpochs.require(`${B}-1-0`, 'provider epoch');
    expect([pe.jobsApproved, pe.workUnits, pe.workReward, pe.availabilityReward, pe.available]).toEqual([1, 2000n, 1000n, 100n, true]);
    const me = s.marketEpochs.require('1-0', 'market epoch');
    expect([me.emission, me.workApproved, me.availabilityEmission, me.availableProviders]).toEqual([1000n, 2000n, 100n, 1]);
    // Its jobs, burn and mint: as MarketStat's day holds them (one day here), and the rewards claimed after it closed.
    expect([me.closed, me.startBlock, me.jobsPosted, me.volume, me.workEstimated, me.avgPricePerUnit]).toEqual([
      true,
      1,
      1,
      1000n,
      2000n,
      500n,
    ]);
    expect([me.jobsApproved, me.burned, me.minted, me.usdPerUnit, me.block, me.updatedAtBlock]).toEqual([1, 950n, 1100n, 100n, 50, 51]);
    const next = s.marketEpochs.require('1-1', 'market epoch');
    expect([next.closed, next.startBlock, next.jobsPosted, next.avgPricePerUnit, next.block]).toEqual([false, 50, 0, null, 50]);
    const hours = [...s.marketStats.values()].filter((x) => x.period === StatPeriod.HOUR);
    expect(hours.map((h) => [h.start.toISOString(), h.jobsPosted, h.jobsApproved, h.workApproved, h.burned])).toEqual([
      ['2026-03-01T10:00:00.000Z', 1, 0, 0n, 0n],
      ['2026-03-01T11:00:00.000Z', 0, 1, 2000n, 950n],
    ]);
    const day = [...s.marketStats.values()].find((x) => x.period === StatPeriod.DAY);
    expect([day?.jobsPosted, day?.jobsApproved, day?.volume]).toEqual([1, 1, 1000n]);
    expect([day?.workEstimated, day?.workApproved, day?.burned, day?.avgPricePerUnit]).toEqual([2000n, 2000n, 950n, 500n]);
    expect(hours.map((h) => h.avgPricePerUnit)).toEqual([500n, null]);
  });

  it('rejects back to the queue, quarantines after three failures, and records the refund', () => {
    const s = new BatchState();
    setup(s);
    for (let f = 1; f <= 3; f++) {
      applyMarket(s, { event: 'JobClaimed', ...meta(10 * f), jobId: 1n, provider: C });
      applyMarket(s, { event: 'JobCompleted', ...meta(10 * f + 1), jobId: 1n, provider: C, resultHash: '0x9', workUnits: 10n });
      applyMarket(s, { event: 'JobRejected', ...meta(10 * f + 2), jobId: 1n, provider: C, by: A, failures: f });
      if (f < 3) {
        applyMarket(s, { event: 'JobReassigned', ...meta(10 * f + 2), jobId: 1n, failures: f });
        expect(s.jobs.require('1', 'job').state).toBe(JobState.POSTED);
        expect(s.markets.require('1', 'market').openJobCount).toBe(1);
      }
    }
    applyMarket(s, { event: 'JobQuarantined', ...meta(33), jobId: 1n, failures: 3 });
    applyMarket(s, { event: 'JobRefunded', ...meta(33), jobId: 1n, to: A, amount: 1000n });
    const job = s.jobs.require('1', 'job');
    expect([job.state, job.failures, job.refunded, job.provider?.id]).toEqual([JobState.QUARANTINED, 3, 1000n, C]);
    const p = s.providers.require(C, 'provider');
    expect([p.jobsRejected, p.jobsApproved, p.successRate]).toEqual([3, 0, 0]);
    const m = s.markets.require('1', 'market');
    expect([m.openJobCount, m.refunded]).toEqual([0, 1000n]);
    expect(s.jobEvents.rows.map((r) => r.kind).slice(-3)).toEqual(['REJECTED', 'QUARANTINED', 'REFUNDED']);
  });

  it('cancels an unclaimed job out of the queue', () => {
    const s = new BatchState();
    setup(s);
    applyMarket(s, { event: 'JobCancelled', ...meta(3), jobId: 1n });
    applyMarket(s, { event: 'JobRefunded', ...meta(3), jobId: 1n, to: A, amount: 1000n });
    expect(s.jobs.require('1', 'job').state).toBe(JobState.CANCELLED);
    expect(s.markets.require('1', 'market').openJobCount).toBe(0);
  });
});

describe('market epochs and the token supply per epoch', () => {
  const ZERO = '0x0000000000000000000000000000000000000000';
  const mint = (m: EventMeta, value: bigint): TokenEvent => ({ event: 'Transfer', ...m, from: ZERO, to: A, value });
  const burn = (m: EventMeta, value: bigint): TokenEvent => ({ event: 'Transfer', ...m, from: A, to: ZERO, value });
  const created = (marketId: number, m: EventMeta): MarketEvent => ({
    event: 'MarketCreated',
    ...m,
    marketId,
    kind: 0,
    tier: 1,
    name: `m${marketId}`,
    usdPerUnit: 100n,
  });
  const posted = (jobId: bigint, marketId: number, m: EventMeta, workEstimate: bigint, payment: bigint): MarketEvent => ({
    event: 'JobPosted',
    ...m,
    jobId,
    marketId,
    sender: A,
    specHash: '0x1',
    workEstimate,
    payment,
    deadline: 99n,
  });
  const closed = (marketId: number, epoch: bigint, m: EventMeta): MarketEvent[] => [
    { event: 'MarketEpochClosed', ...m, marketId, epoch, emission: 0n, workApproved: 0n },
    { event: 'MarketEpochAvailability', ...m, marketId, epoch, availabilityEmission: 0n, availableProviders: 0 },
  ];

  it('rounds the average price down, in base units per whole work unit, and has none without work', () => {
    expect(averagePrice(3_000n, 2_500n)).toBe(1_200n);
    expect(averagePrice(10n, 3_000n)).toBe(3n); // 3.33 per unit
    expect(averagePrice(1n, 3n)).toBe(333n);
    expect(averagePrice(0n, 0n)).toBeNull();
    expect(averagePrice(2n ** 200n, 1n)).toBe(2n ** 200n * 1000n);
  });

  it('gives a job to the epoch open when it is posted, and the price at the end of the epoch', () => {
    const s = new BatchState();
    applyMarket(s, created(1, meta(1)));
    applyMarket(s, posted(1n, 1, meta(2), 1000n, 7n));
    // Same block as the close, before it: epoch 0; after it: epoch 1.
    applyMarket(s, posted(2n, 1, meta(3), 3000n, 2n));
    for (const e of closed(1, 0n, meta(3))) applyMarket(s, e);
    applyMarket(s, posted(3n, 1, meta(3), 500n, 4n));
    applyMarket(s, { event: 'MarketPriceSet', ...meta(4), marketId: 1, usdPerUnit: 300n });
    const e0 = s.marketEpochs.require('1-0', 'market epoch');
    const e1 = s.marketEpochs.require('1-1', 'market epoch');
    expect([e0.closed, e0.jobsPosted, e0.volume, e0.workEstimated, e0.avgPricePerUnit, e0.usdPerUnit, e0.block]).toEqual([
      true,
      2,
      9n,
      4000n,
      2n, // 9 * 1000 / 4000 = 2.25
      100n,
      3,
    ]);
    expect([e1.closed, e1.startBlock, e1.jobsPosted, e1.volume, e1.avgPricePerUnit, e1.usdPerUnit, e1.block]).toEqual([
      false,
      3,
      1,
      4n,
      8n,
      300n,
      4,
    ]);
    expect(s.markets.require('1', 'market').epochCount).toBe(1);
    // A close that is not the open epoch's is a wrong chain.
    expect(() => applyMarket(s, closed(1, 0n, meta(5))[0]!)).toThrow(/open epoch is 1/);
  });

  it('gives an hour and a day the price at their end, a change after their last job included', () => {
    const s = new BatchState();
    applyMarket(s, created(1, meta(1)));
    applyMarket(s, posted(1n, 1, meta(2, '2026-03-01T10:05:00Z'), 1000n, 7n));
    applyMarket(s, { event: 'MarketPriceSet', ...meta(3, '2026-03-01T10:50:00Z'), marketId: 1, usdPerUnit: 300n });
    const hour = s.marketStats.require('1-HOUR-2026-03-01T10:00:00.000Z', 'stat');
    const day = s.marketStats.require('1-DAY-2026-03-01T00:00:00.000Z', 'stat');
    expect([hour.usdPerUnit, day.usdPerUnit, hour.jobsPosted]).toEqual([300n, 300n, 1]);
    // The next hour has no activity, so no row, whatever the price does in it.
    applyMarket(s, { event: 'MarketPriceSet', ...meta(4, '2026-03-01T11:10:00Z'), marketId: 1, usdPerUnit: 400n });
    expect(s.marketStats.get('1-HOUR-2026-03-01T11:00:00.000Z')).toBeUndefined();
    expect([hour.usdPerUnit, day.usdPerUnit]).toEqual([300n, 400n]);
  });

  it("counts every mint and burn in each market's open epoch, with the supply at its end", () => {
    const s = new BatchState();
    s.supply = 1000n; // what earlier batches left
    applyToken(s, mint(meta(1), 5n)); // before any market: in no epoch
    applyMarket(s, created(1, meta(2)));
    applyToken(s, mint(meta(3), 100n));
    applyMarket(s, created(2, meta(4)));
    applyToken(s, burn(meta(5), 30n));
    for (const e of closed(1, 0n, meta(6))) applyMarket(s, e);
    applyToken(s, mint(meta(6), 7n)); // after the close in the same block: market 1's epoch 1
    const row = (id: string) => {
      const r = s.supplyEpochs.require(id, 'supply epoch');
      return [r.closed, r.startBlock, r.minted, r.burned, r.supply, r.block];
    };
    expect(row('1-0')).toEqual([true, 2, 100n, 30n, 1075n, 6]);
    expect(row('1-1')).toEqual([false, 6, 7n, 0n, 1082n, 6]);
    expect(row('2-0')).toEqual([false, 4, 7n, 30n, 1082n, 6]);
    expect(s.supply).toBe(1082n);
    expect([...s.openSupplyEpochs.keys()].sort()).toEqual(['1', '2']);
    expect(s.openSupplyEpochs.get('1')?.id).toBe('1-1');
  });
});
