// The handler families' state transitions, without a database: events in, entities out.
import { JobState, MarketKind, StakeEventKind } from '../../schema';
import { BatchState } from '../state';
import { applyMarket, type MarketEvent } from './market';
import type { EventMeta } from './meta';
import { applyRegistry, positionId, type RegistryEvent } from './registry';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';
const H = '0x00000000000000000000000000000000000000CC'; // mixed case on purpose
let n = 0;
const meta = (block: number): EventMeta => ({ id: `log-${n++}`, block, timestamp: new Date(block * 1000), txHash: '0xtx' });

describe('registry family', () => {
  it('counts neurons and takes stake totals from the events', () => {
    const s = new BatchState();
    const evs: RegistryEvent[] = [
      { event: 'SubnetRegistered', ...meta(1), netuid: 1, owner: A, name: 'text', tempo: 100, registrationCost: 5n },
      { event: 'NeuronRegistered', ...meta(2), netuid: 1, uid: 0, hotkey: H, coldkey: A },
      { event: 'NeuronRegistered', ...meta(2), netuid: 1, uid: 1, hotkey: B, coldkey: B },
      { event: 'StakeAdded', ...meta(3), coldkey: A, hotkey: H, netuid: 1, amount: 70n, newStake: 70n, hotkeyStake: 70n, subnetStake: 70n },
      {
        event: 'StakeAdded',
        ...meta(4),
        coldkey: B,
        hotkey: H,
        netuid: 1,
        amount: 30n,
        newStake: 30n,
        hotkeyStake: 100n,
        subnetStake: 100n,
      },
      {
        event: 'StakeRemoved',
        ...meta(5),
        coldkey: A,
        hotkey: H,
        netuid: 1,
        amount: 20n,
        newStake: 50n,
        hotkeyStake: 80n,
        subnetStake: 80n,
      },
    ];
    for (const e of evs) applyRegistry(s, e);
    const subnet = s.subnets.require('1', 'subnet');
    expect(subnet.neuronCount).toBe(2);
    expect(subnet.totalStake).toBe(80n);
    expect(subnet.updatedAtBlock).toBe(5);
    const neuron = s.neuronByKey(1, H.toLowerCase());
    expect(neuron?.uid).toBe(0);
    expect(neuron?.stake).toBe(80n);
    expect(neuron?.hotkey).toBe(H.toLowerCase());
    expect(s.positions.require(positionId(A, H, 1), 'position').amount).toBe(50n);
    expect(s.positions.require(positionId(B, H, 1), 'position').amount).toBe(30n);
    expect(s.stakeEvents.rows.map((r) => r.kind)).toEqual([StakeEventKind.ADD, StakeEventKind.ADD, StakeEventKind.REMOVE]);
  });

  it('refuses stake to a hotkey that is not a neuron of the subnet', () => {
    const s = new BatchState();
    applyRegistry(s, { event: 'SubnetRegistered', ...meta(1), netuid: 1, owner: A, name: 'x', tempo: 1, registrationCost: 0n });
    expect(() =>
      applyRegistry(s, {
        event: 'StakeAdded',
        ...meta(2),
        coldkey: A,
        hotkey: B,
        netuid: 1,
        amount: 1n,
        newStake: 1n,
        hotkeyStake: 1n,
        subnetStake: 1n,
      }),
    ).toThrow(/not a neuron of subnet 1/);
  });
});

describe('market family', () => {
  it('moves a job through posted, claimed and completed, and keeps the counters', () => {
    const s = new BatchState();
    const evs: MarketEvent[] = [
      { event: 'MarketCreated', ...meta(1), marketId: 2, kind: 1, tier: 1, name: 'llm', usdPerUnit: 100n },
      { event: 'ProviderRegistered', ...meta(1), provider: B, gpuModel: 'H100', vramGb: 80, benchmarkScore: 900, tier: 2 },
      {
        event: 'JobPosted',
        ...meta(2),
        jobId: 7n,
        marketId: 2,
        sender: A,
        specHash: '0x01',
        workEstimate: 1500n,
        payment: 10n ** 18n,
        deadline: 1000n,
      },
      {
        event: 'JobPosted',
        ...meta(2),
        jobId: 8n,
        marketId: 2,
        sender: A,
        specHash: '0x02',
        workEstimate: 10n,
        payment: 5n,
        deadline: 1000n,
      },
      { event: 'JobClaimed', ...meta(3), jobId: 7n, provider: B },
      { event: 'JobCompleted', ...meta(4), jobId: 7n, provider: B, resultHash: '0x03', workUnits: 1400n },
    ];
    for (const e of evs) applyMarket(s, e);
    const market = s.markets.require('2', 'market');
    expect(market.kind).toBe(MarketKind.INFERENCE);
    expect(market.jobCount).toBe(2);
    expect(market.openJobCount).toBe(1);
    expect(market.volume).toBe(10n ** 18n + 5n);
    const job = s.jobs.require('7', 'job');
    expect(job.state).toBe(JobState.COMPLETED);
    expect(job.provider?.id).toBe(B);
    expect(job.workUnits).toBe(1400n);
    expect(job.claimedAtBlock).toBe(3);
    expect(job.deadline.getTime()).toBe(1_000_000);
    expect(s.jobs.require('8', 'job').state).toBe(JobState.POSTED);
    const provider = s.providers.require(B, 'provider');
    expect([provider.jobsClaimed, provider.jobsCompleted, provider.workUnits]).toEqual([1, 1, 1400n]);
    expect(s.jobEvents.rows.map((r) => [r.job.id, r.kind])).toEqual([
      ['7', 'POSTED'],
      ['8', 'POSTED'],
      ['7', 'CLAIMED'],
      ['7', 'COMPLETED'],
    ]);
  });

  it('rejects an unknown market kind instead of guessing', () => {
    const s = new BatchState();
    expect(() => applyMarket(s, { event: 'MarketCreated', ...meta(1), marketId: 1, kind: 9, tier: 0, name: 'x', usdPerUnit: 1n })).toThrow(
      /unknown kind 9/,
    );
  });
});
