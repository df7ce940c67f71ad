/**
 * The intelligence layer on a devnet: hyperparameters, neuron registration and replacement,
 * weights, and epochs posted by the keeper (checked against an independent replay of chain/yuma
 * over the chain's own logs, and against the token supply).
 */
import { type Address, maxUint256, parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  COMPUTE_SUBNET_TEMPO,
  createKeeper,
  type Deployment,
  type Devnet,
  deployProtocol,
  EMISSION_PER_BLOCK,
  epochLedgerAbi,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  HARDHAT_KEEPER_KEY,
  KEEPER_ROLE,
  type Keeper,
  startDevnet,
  subnetRegistryAbi,
} from '../chain';
import { packNeuronResult } from '../chain/keeper/epoch';
import { fixed, splitEmission } from '../chain/yuma';
import { ETHER, labelAccount, type ProtocolClients, protocolClients } from './harness/protocol';
import { replayEpochsFromLogs } from './harness/yuma-replay';

const DEPLOYER = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
const KEEPER = privateKeyToAccount(HARDHAT_KEEPER_KEY);
// Hardhat's well-known account #1: a subnet owner.
const OWNER = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const coldkeys = Array.from({ length: 8 }, (_, i) => labelAccount(`epochs-coldkey-${i}`));
const hotkeys = Array.from({ length: 12 }, (_, i) => labelAccount(`epochs-hotkey-${i}`));

type Hp = {
  tempo: number;
  maxUids: number;
  maxAllowedValidators: number;
  kappa: number;
  bondsMovingAverage: number;
  bondsPenalty: number;
  yuma3: boolean;
  liquidAlpha: boolean;
  alphaLow: number;
  alphaHigh: number;
  alphaSigmoidSteepness: number;
  activityCutoff: bigint;
  immunityPeriod: bigint;
  weightsRateLimit: bigint;
  stakeThreshold: bigint;
};

const HP: Hp = {
  tempo: 20,
  maxUids: 8,
  maxAllowedValidators: 3,
  kappa: 32767,
  bondsMovingAverage: 900_000,
  bondsPenalty: 65535,
  yuma3: false,
  liquidAlpha: false,
  alphaLow: 45875,
  alphaHigh: 58982,
  alphaSigmoidSteepness: 1000,
  activityCutoff: 5000n,
  immunityPeriod: 1000n,
  weightsRateLimit: 3n,
  stakeThreshold: 0n,
};

describe('intelligence layer: subnets, weights and epochs', () => {
  let devnet: Devnet;
  let d: Deployment;
  let c: ProtocolClients;
  let keeper: Keeper;
  const registry = () => ({ address: d.contracts.registry, abi: subnetRegistryAbi }) as const;
  const ledger = () => ({ address: d.contracts.ledger, abi: epochLedgerAbi }) as const;
  const token = () => ({ address: d.contracts.token, abi: gridTokenAbi }) as const;
  const supplyAt = (blockNumber: bigint) => c.pub.readContract({ ...token(), functionName: 'totalSupply', blockNumber });
  const balanceAt = (who: Address, blockNumber: bigint) =>
    c.pub.readContract({ ...token(), functionName: 'balanceOf', args: [who], blockNumber });

  /** Mines until `netuid`'s next epoch is due, then lets the keeper post it. */
  const nextEpoch = async (netuid: number) => {
    const count = await c.pub.readContract({ ...ledger(), functionName: 'epochCount', args: [netuid] });
    const hp = await c.pub.readContract({ ...registry(), functionName: 'getHyperparameters', args: [netuid] });
    const last =
      count === 0n
        ? (await c.pub.readContract({ ...registry(), functionName: 'getSubnet', args: [netuid] })).registeredAtBlock
        : (await c.pub.readContract({ ...ledger(), functionName: 'getEpoch', args: [netuid, count] })).block;
    const due = Number(last) + hp.tempo;
    const head = await c.head();
    if (head < due) await c.mine(due - head);
    const posted = (await keeper.tick()).filter((p) => p.netuid === netuid);
    expect(posted).toHaveLength(1);
    return posted[0]!;
  };

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    c = protocolClients(devnet.rpcUrl);
    keeper = createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d });
    await c.fund([...coldkeys, ...hotkeys].map((a) => a.address));
    const dw = c.wallet(DEPLOYER);
    for (const who of [OWNER, ...coldkeys]) {
      await c.send(dw.writeContract({ ...token(), functionName: 'mint', args: [who.address, 10_000n * ETHER] }));
      await c.send(c.wallet(who).writeContract({ ...token(), functionName: 'approve', args: [d.contracts.registry, maxUint256] }));
    }
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it('deploys the ledger with its roles, and the compute subnet as netuid 1', async () => {
    expect((await c.pub.readContract({ ...registry(), functionName: 'epochLedger' })).toLowerCase()).toBe(d.contracts.ledger);
    expect(await c.pub.readContract({ ...registry(), functionName: 'computeNetuid' })).toBe(1);
    const compute = await c.pub.readContract({ ...registry(), functionName: 'getSubnet', args: [1] });
    expect(compute.name).toBe('compute');
    expect(compute.tempo).toBe(COMPUTE_SUBNET_TEMPO);
    expect(compute.owner.toLowerCase()).toBe(d.deployer);
    expect(await c.pub.readContract({ ...ledger(), functionName: 'hasRole', args: [KEEPER_ROLE, KEEPER.address] })).toBe(true);
    expect(await c.pub.readContract({ ...ledger(), functionName: 'EMISSION_PER_BLOCK' })).toBe(EMISSION_PER_BLOCK);
    await expect(
      c.pub.simulateContract({ ...registry(), account: DEPLOYER, functionName: 'setEpochLedger', args: [d.contracts.ledger] }),
    ).rejects.toThrow(/EpochLedgerAlreadySet/);
    await expect(
      c.pub.simulateContract({ ...registry(), account: DEPLOYER, functionName: 'setComputeSubnet', args: [77] }),
    ).rejects.toThrow(/UnknownSubnet/);
  });

  it('sets hyperparameters at registration (defaults or given), lets only the owner change them, and names every bad value', async () => {
    const receipt = await c.send(c.wallet(OWNER).writeContract({ ...registry(), functionName: 'registerSubnet', args: ['defaults', 50] }));
    const [set] = parseEventLogs({ abi: subnetRegistryAbi, eventName: 'HyperparametersSet', logs: receipt.logs });
    expect(set!.args.netuid).toBe(2);
    expect(set!.args.hyperparameters).toEqual({
      tempo: 50,
      maxUids: 256,
      maxAllowedValidators: 64,
      kappa: 32767,
      bondsMovingAverage: 900_000,
      bondsPenalty: 65535,
      yuma3: false,
      liquidAlpha: false,
      alphaLow: 45875,
      alphaHigh: 58982,
      alphaSigmoidSteepness: 1000,
      activityCutoff: 5000n,
      immunityPeriod: 4096n,
      weightsRateLimit: 100n,
      stakeThreshold: 0n,
    });

    const changed = { ...HP, tempo: 30, yuma3: true, liquidAlpha: true };
    const r2 = await c.send(c.wallet(OWNER).writeContract({ ...registry(), functionName: 'setHyperparameters', args: [2, changed] }));
    expect(parseEventLogs({ abi: subnetRegistryAbi, eventName: 'HyperparametersSet', logs: r2.logs })[0]!.args.hyperparameters).toEqual(
      changed,
    );
    expect(await c.pub.readContract({ ...registry(), functionName: 'getHyperparameters', args: [2] })).toEqual(changed);
    expect((await c.pub.readContract({ ...registry(), functionName: 'getSubnet', args: [2] })).tempo).toBe(30);

    const reject = (hp: Hp, error: RegExp, account = OWNER) =>
      expect(c.pub.simulateContract({ ...registry(), account, functionName: 'setHyperparameters', args: [2, hp] })).rejects.toThrow(error);
    await reject(HP, /NotSubnetOwner/, coldkeys[0]!);
    await reject({ ...HP, tempo: 0 }, /InvalidTempo/);
    await reject({ ...HP, maxUids: 257 }, /InvalidMaxUids/);
    await reject({ ...HP, maxUids: 0 }, /InvalidMaxUids/);
    await reject({ ...HP, maxAllowedValidators: 9 }, /InvalidMaxAllowedValidators/);
    await reject({ ...HP, maxAllowedValidators: 0 }, /InvalidMaxAllowedValidators/);
    await reject({ ...HP, bondsMovingAverage: 1_000_001 }, /InvalidBondsMovingAverage/);
    await reject({ ...HP, alphaLow: 60000, alphaHigh: 50000 }, /InvalidAlphaRange/);
    await expect(
      c.pub.simulateContract({
        ...registry(),
        account: OWNER,
        functionName: 'registerSubnetWithHyperparameters',
        args: ['bad', { ...HP, tempo: 0 }],
      }),
    ).rejects.toThrow(/InvalidTempo/);
    await expect(
      c.pub.simulateContract({ ...registry(), account: OWNER, functionName: 'setHyperparameters', args: [99, HP] }),
    ).rejects.toThrow(/UnknownSubnet/);
  });

  // Subnet 3: 3 validators (uids 0-2, permits k = 3), 4 miners (uids 3-6). Validator 2 colludes.
  const NET = 3;
  const V = [0, 1, 2];

  it('burns the neuron registration cost and gives permits only from the first epoch on', async () => {
    await c.send(c.wallet(OWNER).writeContract({ ...registry(), functionName: 'registerSubnetWithHyperparameters', args: ['alpha', HP] }));
    const cost = await c.pub.readContract({ ...registry(), functionName: 'neuronRegistrationCost' });
    expect(cost).toBe(ETHER);
    for (let uid = 0; uid < 7; uid++) {
      const before = await c.pub.readContract({ ...token(), functionName: 'totalSupply' });
      await c.send(
        c.wallet(coldkeys[uid]!).writeContract({ ...registry(), functionName: 'registerNeuron', args: [NET, hotkeys[uid]!.address] }),
      );
      expect(before - (await c.pub.readContract({ ...token(), functionName: 'totalSupply' }))).toBe(cost);
    }
    for (const [uid, amount] of [
      [0, 3000n],
      [1, 2000n],
      [2, 1000n],
      [3, 10n],
    ] as const) {
      await c.send(
        c
          .wallet(coldkeys[uid]!)
          .writeContract({ ...registry(), functionName: 'addStake', args: [hotkeys[uid]!.address, NET, amount * ETHER] }),
      );
    }
    // Before the first epoch nobody holds a permit.
    await expect(
      c.pub.simulateContract({ ...registry(), account: hotkeys[0]!, functionName: 'setWeights', args: [NET, [3], [1]] }),
    ).rejects.toThrow(/NoValidatorPermit/);
    const first = await nextEpoch(NET);
    expect(first.epoch).toBe(1);
    // k = 3 permits by stake: the three validators.
    expect(first.built.result.newPermit).toEqual([true, true, true, false, false, false, false]);
    for (const uid of V)
      expect(await c.pub.readContract({ ...registry(), functionName: 'hasValidatorPermit', args: [NET, uid] })).toBe(true);
    expect(await c.pub.readContract({ ...registry(), functionName: 'hasValidatorPermit', args: [NET, 3] })).toBe(false);
  });

  it('stores weights max-upscaled exactly as subtensor (FORMAT.md §1), with a named error for every rejection', async () => {
    const setWeights = (hotkey: number, uids: number[], values: number[]) =>
      c.send(c.wallet(hotkeys[hotkey]!).writeContract({ ...registry(), functionName: 'setWeights', args: [NET, uids, values] }));
    const rejects = (hotkey: number, uids: number[], values: number[], error: RegExp) =>
      expect(
        c.pub.simulateContract({ ...registry(), account: hotkeys[hotkey]!, functionName: 'setWeights', args: [NET, uids, values] }),
      ).rejects.toThrow(error);

    // Both of the chain's I32F32 paths: max above 32768 (divide first) and at most 32768.
    const cases: [number, number[], number[]][] = [
      [0, [3, 4, 5, 6], [60000, 30001, 12345, 1]],
      [1, [3, 4, 5], [32768, 16385, 3]],
      [2, [5, 6], [7, 3]],
    ];
    for (const [v, uids, values] of cases) {
      const receipt = await setWeights(v, uids, values);
      const stored = await c.pub.readContract({ ...registry(), functionName: 'getWeights', args: [NET, v] });
      expect([...stored[0]]).toEqual(uids);
      expect([...stored[1]]).toEqual(fixed.u16MaxUpscale(values));
      const [ev] = parseEventLogs({ abi: subnetRegistryAbi, eventName: 'WeightsSet', logs: receipt.logs });
      expect(ev!.args).toMatchObject({ netuid: NET, uid: v, uids, values: fixed.u16MaxUpscale(values) });
      expect(await c.pub.readContract({ ...registry(), functionName: 'lastUpdate', args: [NET, v] })).toBe(receipt.blockNumber);
    }
    // A row of zeros is stored as zeros (entries kept).
    expect(fixed.u16MaxUpscale([0, 0])).toEqual([0, 0]);

    await rejects(0, [3], [1], /WeightsRateLimited/);
    await c.mine(Number(HP.weightsRateLimit));
    await rejects(7, [3], [1], /HotkeyNotRegistered/);
    await rejects(3, [4], [1], /NoValidatorPermit/);
    await rejects(0, [3, 4], [1], /WeightsLengthMismatch/);
    await rejects(0, [3, 7], [1, 1], /UidOutOfRange/);
    await rejects(0, [4, 3], [1, 1], /UidsNotAscending/);
    await rejects(0, [4, 4], [1, 1], /UidsNotAscending/);
    await expect(
      c.pub.simulateContract({ ...registry(), account: hotkeys[0]!, functionName: 'setWeights', args: [42, [3], [1]] }),
    ).rejects.toThrow(/UnknownSubnet/);
  });

  it('posts epochs that an independent Yuma run over the logs reproduces, minting exactly tempo × per-block, split 18/41/41', async () => {
    // Honest validators rank miners by quality; validator 2 pushes its friend (uid 6), which the
    // stake-weighted consensus clips.
    const rounds = [
      [
        [3, 4, 5, 6],
        [100, 60, 20, 1],
      ],
      [
        [3, 4, 5, 6],
        [90, 70, 15, 2],
      ],
    ] as const;
    for (let e = 0; e < 3; e++) {
      const [uids, values] = rounds[e % 2]!;
      for (const v of [0, 1]) {
        await c.send(
          c.wallet(hotkeys[v]!).writeContract({ ...registry(), functionName: 'setWeights', args: [NET, [...uids], [...values]] }),
        );
      }
      await c.send(c.wallet(hotkeys[2]!).writeContract({ ...registry(), functionName: 'setWeights', args: [NET, [4, 6], [1, 100]] }));
      const p = await nextEpoch(NET);
      const hp = await c.pub.readContract({ ...registry(), functionName: 'getHyperparameters', args: [NET] });
      const total = BigInt(hp.tempo) * EMISSION_PER_BLOCK;

      // Supply delta of the post's block = tempo × per-block, exactly; the owner got ownerCut.
      const receipt = await c.pub.getTransactionReceipt({ hash: p.txHash });
      const b = receipt.blockNumber;
      expect((await supplyAt(b)) - (await supplyAt(b - 1n))).toBe(total);
      expect((await balanceAt(OWNER.address, b)) - (await balanceAt(OWNER.address, b - 1n))).toBe(p.built.ownerCut);
      const [fin] = parseEventLogs({ abi: epochLedgerAbi, eventName: 'EpochFinalized', logs: receipt.logs });
      expect(fin!.args).toMatchObject({ netuid: NET, epoch: BigInt(p.epoch), block: BigInt(p.block), emission: total });
      expect(fin!.args.inputsHash).toBe(p.built.inputsHash);
      const split = splitEmission(total, p.built.result.incentive, p.built.result.dividends);
      const minersPaid = split.miners.reduce((a, x) => a + x, 0n);
      const validatorsPaid = split.validators.reduce((a, x) => a + x, 0n);
      expect(minersPaid).toBeLessThanOrEqual((total * 41n) / 100n);
      expect((total * 41n) / 100n - minersPaid).toBeLessThan(8n);
      expect((total * 41n) / 100n - validatorsPaid).toBeLessThan(8n);
      expect(fin!.args.ownerCut).toBe(total - minersPaid - validatorsPaid);
      expect(fin!.args.ownerCut).toBe(split.owner);
      // Each uid's emission was minted to its coldkey.
      for (let uid = 0; uid < 7; uid++) {
        expect((await balanceAt(coldkeys[uid]!.address, b)) - (await balanceAt(coldkeys[uid]!.address, b - 1n))).toBe(
          p.built.emission[uid],
        );
      }
      await c.mine(Number(HP.weightsRateLimit));
    }

    const { posted, replayed } = await replayEpochsFromLogs(c.pub, d.contracts, NET);
    expect(posted).toHaveLength(4);
    expect(posted).toEqual(replayed.map((r) => ({ ...r, bondsHash: '0x' })));
    for (const r of replayed) {
      expect((await c.pub.readContract({ ...ledger(), functionName: 'getEpoch', args: [NET, BigInt(r.epoch)] })).bondsHash).toBe(
        r.bondsHash,
      );
    }
    // Clipping shows: the colluding validator's trust is below the honest ones', and its friend
    // earns less than the honest validators' favourite.
    const last = posted[3]!.neurons;
    expect(last[2]!.validatorTrust).toBeLessThan(last[0]!.validatorTrust);
    expect(last[6]!.incentive).toBeLessThan(last[3]!.incentive);
    expect(last[3]!.incentive).toBeGreaterThan(0);
    expect(last[0]!.dividends).toBeGreaterThan(last[2]!.dividends);
  });

  it('a restarted keeper replays the history, matches every posted hash and carries on', async () => {
    const fresh = createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d });
    const before = await c.pub.readContract({ ...ledger(), functionName: 'epochCount', args: [NET] });
    keeper = fresh;
    const p = await nextEpoch(NET);
    expect(BigInt(p.epoch)).toBe(before + 1n);
    expect(p.inputs.previousBondsHash).toBe(
      (await c.pub.readContract({ ...ledger(), functionName: 'getEpoch', args: [NET, before] })).bondsHash,
    );
  });

  it('rejects bad posts with named errors', async () => {
    const head = BigInt(await c.head());
    const post = (args: Parameters<typeof postArgs>[0], account = KEEPER) =>
      c.pub.simulateContract({ ...ledger(), account, functionName: 'postEpoch', args: postArgs(args) });
    const neuron = {
      stakeWeight: 0,
      consensus: 0,
      incentive: 0,
      dividends: 0,
      validatorTrust: 0,
      rank: 0,
      trust: 0,
      validatorPermit: false,
    };
    await expect(post({ netuid: NET, block: head - 1n, n: 7, neuron }, OWNER)).rejects.toThrow(/AccessControlUnauthorizedAccount/);
    await expect(post({ netuid: 99, block: head - 1n, n: 0, neuron })).rejects.toThrow(/UnknownSubnet/);
    await expect(post({ netuid: NET, block: head + 5n, n: 7, neuron })).rejects.toThrow(/EpochBlockNotPast/);
    await expect(post({ netuid: NET, block: head - 1n, n: 7, neuron })).rejects.toThrow(/EpochNotDue/);
    await c.mine(HP.tempo);
    const due = BigInt(await c.head()) - 1n;
    await expect(post({ netuid: NET, block: due, n: 6, neuron })).rejects.toThrow(/NeuronCountMismatch/);
    await expect(post({ netuid: NET, block: due, n: 8, neuron })).rejects.toThrow(/NeuronCountMismatch/);
    // A neuron registered after the epoch's block: the keeper read a state that has moved on.
    await c.send(c.wallet(coldkeys[7]!).writeContract({ ...registry(), functionName: 'registerNeuron', args: [NET, hotkeys[7]!.address] }));
    await expect(post({ netuid: NET, block: due, n: 8, neuron })).rejects.toThrow(/NeuronRegisteredAfterEpoch/);
    const zero = `0x${'00'.repeat(32)}` as const;
    const dirty = [...Array.from({ length: 6 }, () => 0n), 1n << 113n];
    await expect(
      c.pub.simulateContract({ ...ledger(), account: KEEPER, functionName: 'postEpoch', args: [NET, due, zero, zero, dirty] }),
    ).rejects.toThrow(/InvalidNeuronWord/);
    await expect(post({ netuid: NET, block: due, n: 7, neuron })).resolves.toBeDefined();
  });

  it('replaces the lowest-emission non-immune neuron when full; its stake stays withdrawable and its slot starts clean', async () => {
    // Subnet 4: 3 slots, immunity 6 blocks. uid 0 validates, uid 1 mines, uid 2 idles.
    const net = 4;
    await c.send(
      c.wallet(OWNER).writeContract({
        ...registry(),
        functionName: 'registerSubnetWithHyperparameters',
        args: ['tiny', { ...HP, tempo: 10, maxUids: 3, maxAllowedValidators: 1, immunityPeriod: 6n, weightsRateLimit: 0n }],
      }),
    );
    for (const uid of [0, 1, 2]) {
      await c.send(
        c.wallet(coldkeys[uid]!).writeContract({ ...registry(), functionName: 'registerNeuron', args: [net, hotkeys[8 + uid]!.address] }),
      );
    }
    // Every neuron is still immune: a full subnet refuses.
    await expect(
      c.pub.simulateContract({ ...registry(), account: coldkeys[3]!, functionName: 'registerNeuron', args: [net, hotkeys[11]!.address] }),
    ).rejects.toThrow(/SubnetFull/);
    await c.send(
      c.wallet(coldkeys[0]!).writeContract({ ...registry(), functionName: 'addStake', args: [hotkeys[8]!.address, net, 50n * ETHER] }),
    );
    await c.send(
      c.wallet(coldkeys[5]!).writeContract({ ...registry(), functionName: 'addStake', args: [hotkeys[10]!.address, net, 7n * ETHER] }),
    );
    await nextEpoch(net);
    await c.send(c.wallet(hotkeys[8]!).writeContract({ ...registry(), functionName: 'setWeights', args: [net, [1], [1]] }));
    const scored = await nextEpoch(net);
    // uid 0 earns dividends, uid 1 incentive, uid 2 nothing: uid 2 goes, though uid 0 is older.
    expect(scored.built.emission[2]).toBe(0n);
    expect(scored.built.emission[0]).toBeGreaterThan(0n);
    expect(scored.built.emission[1]).toBeGreaterThan(0n);

    const receipt = await c.send(
      c.wallet(coldkeys[3]!).writeContract({ ...registry(), functionName: 'registerNeuron', args: [net, hotkeys[11]!.address] }),
    );
    const events = parseEventLogs({ abi: subnetRegistryAbi, logs: receipt.logs });
    const replaced = events.find((e) => e.eventName === 'NeuronReplaced');
    const registered = events.find((e) => e.eventName === 'NeuronRegistered');
    expect(replaced?.args).toEqual({
      netuid: net,
      uid: 2,
      oldHotkey: hotkeys[10]!.address,
      newHotkey: hotkeys[11]!.address,
      coldkey: coldkeys[3]!.address,
    });
    expect(registered?.args).toEqual({ netuid: net, uid: 2, hotkey: hotkeys[11]!.address, coldkey: coldkeys[3]!.address });
    expect(await c.pub.readContract({ ...registry(), functionName: 'uidOf', args: [net, hotkeys[10]!.address] })).toEqual([false, 0]);
    expect(await c.pub.readContract({ ...registry(), functionName: 'getWeights', args: [net, 2] })).toEqual([[], []]);
    expect(await c.pub.readContract({ ...registry(), functionName: 'lastUpdate', args: [net, 2] })).toBe(receipt.blockNumber);
    expect(await c.pub.readContract({ ...registry(), functionName: 'neuronCount', args: [net] })).toBe(3);
    // The old hotkey's stake stays with its positions and can still be removed.
    await c.send(
      c.wallet(coldkeys[5]!).writeContract({ ...registry(), functionName: 'removeStake', args: [hotkeys[10]!.address, net, 7n * ETHER] }),
    );
    await expect(
      c.pub.simulateContract({ ...registry(), account: coldkeys[5]!, functionName: 'addStake', args: [hotkeys[10]!.address, net, 1n] }),
    ).rejects.toThrow(/HotkeyNotRegistered/);
    // The keeper carries on over the replacement and an independent replay agrees.
    await nextEpoch(net);
    const { posted, replayed } = await replayEpochsFromLogs(c.pub, d.contracts, net);
    expect(posted).toHaveLength(3);
    expect(posted).toEqual(replayed.map((r) => ({ ...r, bondsHash: '0x' })));
  });
  it('a keeper reading the registry logs instead of the views replays every posted hash, and posts what the views would', async () => {
    const fromLogs = createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d, source: 'logs' });
    const counts = async () =>
      Promise.all([1, 2, 3, 4].map((n) => c.pub.readContract({ ...ledger(), functionName: 'epochCount', args: [n] })));
    const before = await counts();
    await c.mine(COMPUTE_SUBNET_TEMPO);
    // Its first tick replays each subnet's epochs from logs (and fails on any hash that differs),
    // then posts every due epoch in one go.
    const posted = await fromLogs.tick();
    expect(posted.map((p) => p.netuid).sort()).toEqual([1, 2, 3, 4]);
    expect(await counts()).toEqual(before.map((n) => n + 1n));
    // A fresh views keeper replays those posts (it checks them against its own reads).
    keeper = createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d });
    await nextEpoch(NET);
  });

  it('registers several hotkeys of one coldkey in one call, burning the cost once per hotkey', async () => {
    const net = Number(await c.pub.readContract({ ...registry(), functionName: 'subnetCount' })) + 1;
    await c.send(
      c
        .wallet(OWNER)
        .writeContract({ ...registry(), functionName: 'registerSubnetWithHyperparameters', args: ['bulk', { ...HP, maxUids: 3 }] }),
    );
    const cost = await c.pub.readContract({ ...registry(), functionName: 'neuronRegistrationCost' });
    const keys = [labelAccount('bulk-0'), labelAccount('bulk-1')].map((a) => a.address);
    const supply = await c.pub.readContract({ ...token(), functionName: 'totalSupply' });
    const receipt = await c.send(
      c.wallet(coldkeys[6]!).writeContract({ ...registry(), functionName: 'registerNeurons', args: [net, keys] }),
    );
    const events = parseEventLogs({ abi: subnetRegistryAbi, eventName: 'NeuronRegistered', logs: receipt.logs });
    expect(events.map((e) => [e.args.uid, e.args.hotkey])).toEqual([
      [0, keys[0]],
      [1, keys[1]],
    ]);
    expect(supply - (await c.pub.readContract({ ...token(), functionName: 'totalSupply' }))).toBe(2n * cost);
    // All or nothing: the second hotkey is already there, so the first is not registered either.
    const third = labelAccount('bulk-2').address;
    await expect(
      c.pub.simulateContract({ ...registry(), account: coldkeys[6]!, functionName: 'registerNeurons', args: [net, [third, keys[1]!]] }),
    ).rejects.toThrow(/HotkeyAlreadyRegistered/);
    await expect(
      c.pub.simulateContract({ ...registry(), account: coldkeys[5]!, functionName: 'registerNeurons', args: [net, [keys[0]!]] }),
    ).rejects.toThrow(/HotkeyOwnedByOther/);
  });

  it('mints in batches only for the minter role, with matching lengths', async () => {
    const to = [labelAccount('batch-0').address, labelAccount('batch-1').address];
    await expect(c.pub.simulateContract({ ...token(), account: OWNER, functionName: 'mintBatch', args: [to, [1n, 2n]] })).rejects.toThrow(
      /AccessControlUnauthorizedAccount/,
    );
    await expect(c.pub.simulateContract({ ...token(), account: DEPLOYER, functionName: 'mintBatch', args: [to, [1n]] })).rejects.toThrow(
      /LengthMismatch/,
    );
  });
});

function postArgs(p: {
  netuid: number;
  block: bigint;
  n: number;
  neuron: {
    stakeWeight: number;
    consensus: number;
    incentive: number;
    dividends: number;
    validatorTrust: number;
    rank: number;
    trust: number;
    validatorPermit: boolean;
  };
}) {
  const zero = `0x${'00'.repeat(32)}` as const;
  return [p.netuid, p.block, zero, zero, Array.from({ length: p.n }, () => packNeuronResult(p.neuron))] as const;
}
