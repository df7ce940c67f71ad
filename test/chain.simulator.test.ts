import type { Address, Log } from 'viem';
import { createPublicClient, http, parseEventLogs } from 'viem';
import {
  computeMarketAbi,
  createSimulator,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  JobState,
  presets,
  type Simulator,
  startDevnet,
  subnetRegistryAbi,
} from '../chain';
import { replayEpochsFromLogs } from './harness/yuma-replay';

const ROUNDS = 12;

async function simulate(seed: number): Promise<{ devnet: Devnet; deployment: Deployment; sim: Simulator }> {
  const devnet = await startDevnet({ port: 0 });
  try {
    const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    const sim = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed, preset: 'small', keeper: true });
    await sim.run({ rounds: ROUNDS });
    return { devnet, deployment, sim };
  } catch (err) {
    await devnet.stop();
    throw err;
  }
}

async function allLogs(devnet: Devnet, d: Deployment) {
  const client = createPublicClient({ transport: http(devnet.rpcUrl) });
  const logs: Log[] = await client.getLogs({ address: Object.values(d.contracts), fromBlock: 0n, toBlock: 'latest' });
  return logs.map((l) => ({
    block: l.blockNumber,
    tx: l.transactionIndex,
    index: l.logIndex,
    address: l.address,
    topics: l.topics,
    data: l.data,
  }));
}

describe('simulator on a devnet', () => {
  let a: Awaited<ReturnType<typeof simulate>>;
  let b: Awaited<ReturnType<typeof simulate>>;
  beforeAll(async () => {
    // Two fresh automine devnets with the same seed, side by side.
    [a, b] = await Promise.all([simulate(42), simulate(42)]);
  });
  afterAll(async () => {
    await Promise.all([a?.devnet.stop(), b?.devnet.stop()]);
  });

  it('leaves the contracts in the state its model predicts', async () => {
    const { devnet, deployment, sim } = a;
    const m = sim.model;
    const client = createPublicClient({ transport: http(devnet.rpcUrl, { batch: true }) });
    const registry = { address: deployment.contracts.registry, abi: subnetRegistryAbi } as const;
    const market = { address: deployment.contracts.market, abi: computeMarketAbi } as const;

    expect(m.round).toBe(ROUNDS);
    expect(await client.readContract({ ...registry, functionName: 'subnetCount' })).toBe(m.subnets.length);
    expect(m.subnets).toHaveLength(4); // the compute subnet (netuid 1) and the preset's 3
    let neurons = 0;
    for (const s of m.subnets) {
      expect(await client.readContract({ ...registry, functionName: 'neuronCount', args: [s.netuid] })).toBe(s.hotkeys.length);
      expect(await client.readContract({ ...registry, functionName: 'subnetStake', args: [s.netuid] })).toBe(
        m.subnetStake.get(s.netuid) ?? 0n,
      );
      for (const [uid, hotkey] of s.hotkeys.entries()) {
        const n = await client.readContract({ ...registry, functionName: 'getNeuron', args: [s.netuid, uid] });
        expect(n.hotkey.toLowerCase()).toBe(hotkey);
        expect(n.coldkey.toLowerCase()).toBe(m.hotkeyOwner.get(hotkey));
        expect(await client.readContract({ ...registry, functionName: 'hotkeyStake', args: [s.netuid, hotkey] })).toBe(
          m.hotkeyStake.get(`${s.netuid}:${hotkey}`) ?? 0n,
        );
      }
      neurons += s.hotkeys.length;
    }
    expect(neurons).toBeGreaterThan(10);
    for (const [key, amount] of m.stakes) {
      const [coldkey, hotkey, netuid] = key.split(':') as [Address, Address, string];
      expect(await client.readContract({ ...registry, functionName: 'stakeOf', args: [coldkey, hotkey, Number(netuid)] })).toBe(amount);
    }
    expect(m.totalStake).toBeGreaterThan(0n);
    expect(await client.readContract({ ...registry, functionName: 'totalStake' })).toBe(m.totalStake);

    expect(await client.readContract({ ...market, functionName: 'marketCount' })).toBe(m.markets.length);
    expect(await client.readContract({ ...market, functionName: 'providerCount' })).toBe(m.providers.size);
    expect(await client.readContract({ ...market, functionName: 'jobCount' })).toBe(BigInt(m.jobs.length));
    expect(await client.readContract({ ...market, functionName: 'escrowed' })).toBe(m.escrowed);
    for (let state = JobState.None; state <= JobState.Expired; state++) {
      expect(await client.readContract({ ...market, functionName: 'jobsInState', args: [state] })).toBe(BigInt(m.jobsInState[state]));
    }
    // Review, refunds and BME: approvals (by senders and by expired review), rejections back to the
    // queue, cancellations, expiries, closed market epochs and their rewards.
    for (const state of [JobState.Approved, JobState.Cancelled, JobState.Expired]) expect(m.jobsInState[state]).toBeGreaterThan(0);
    expect(m.jobs.some((j) => j.failures > 0)).toBe(true);
    const [burned, fees, refunded, rewardsMinted] = await Promise.all(
      (['totalBurned', 'totalFees', 'totalRefunded', 'totalRewardsMinted'] as const).map((f) =>
        client.readContract({ ...market, functionName: f }),
      ),
    );
    expect({ burned, fees, refunded, rewardsMinted }).toEqual(m.bme);
    expect(rewardsMinted).toBeGreaterThan(0n);

    for (const [who, balance] of m.balances) {
      expect(
        await client.readContract({ address: deployment.contracts.token, abi: gridTokenAbi, functionName: 'balanceOf', args: [who] }),
      ).toBe(balance);
    }
  });

  it('has validators set weights and the keeper post epochs that an independent Yuma replay reproduces', async () => {
    const { devnet, deployment, sim } = a;
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const logs = await client.getLogs({ address: deployment.contracts.registry, fromBlock: 0n, toBlock: 'latest' });
    const weights = parseEventLogs({ abi: subnetRegistryAbi, eventName: 'WeightsSet', logs });
    expect(weights.length).toBeGreaterThan(5);
    let epochs = 0;
    for (const s of sim.model.subnets) {
      const { posted, replayed } = await replayEpochsFromLogs(client, deployment.contracts, s.netuid);
      expect(posted).toEqual(replayed.map((r) => ({ ...r, bondsHash: '0x' })));
      epochs += posted.length;
    }
    expect(epochs).toBeGreaterThan(sim.model.subnets.length);
  });

  it('sends the same transactions for the same seed: identical logs on two devnets', async () => {
    const [la, lb] = await Promise.all([allLogs(a.devnet, a.deployment), allLogs(b.devnet, b.deployment)]);
    expect(la.length).toBeGreaterThan(100);
    expect(lb).toEqual(la);
  });

  it('refuses to simulate on a deployment that is already in use', async () => {
    const again = createSimulator({ rpcUrl: a.devnet.rpcUrl, deployment: a.deployment, seed: 42, preset: 'small' });
    await expect(again.setup()).rejects.toThrow(/needs a fresh one/);
  });
});

describe('simulator presets with their own weights rate limit', () => {
  it('registers its subnets with the registry defaults but that limit', async () => {
    const devnet = await startDevnet({ port: 0 });
    try {
      const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
      const preset = { ...presets.small, name: 'small-rate-limited', weightsRateLimit: 7 };
      const sim = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: 3, preset });
      await sim.setup();
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      const registry = { address: deployment.contracts.registry, abi: subnetRegistryAbi } as const;
      const defaults = await client.readContract({ ...registry, functionName: 'defaultHyperparameters', args: [preset.tempo] });
      const own = sim.model.subnets.filter((s) => s.netuid !== 1); // netuid 1: the deployment's compute subnet
      expect(own).toHaveLength(preset.subnets);
      for (const s of own) {
        const hp = await client.readContract({ ...registry, functionName: 'getHyperparameters', args: [s.netuid] });
        expect(hp).toEqual({ ...defaults, weightsRateLimit: 7n });
      }
      const compute = await client.readContract({ ...registry, functionName: 'getHyperparameters', args: [1] });
      expect(compute.weightsRateLimit).toBe(defaults.weightsRateLimit);
    } finally {
      await devnet.stop();
    }
  });
});
