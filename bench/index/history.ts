// The benchmark's chain history, generated once per run into one devnet that every measurement
// then reads. It starts as the simulator's `large` population (markets, providers, jobs, stake,
// subnets) and gets its bulk from the protocol's own batched path: epochs posted to the EpochLedger
// by the keeper's account, each one transaction with an EpochFinalized, a NeuronEpoch per uid and
// the emission's mints. Yuma itself is not run here: the ledger checks the schedule, the uid set and
// the split, not the outputs, and the indexers do the same work whatever the u16 values are; running
// the keeper would make generation take many times longer than the backfills it feeds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Abi, type Address, decodeFunctionResult, encodeFunctionData, type Hex, keccak256, toHex } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import {
  createSimulator,
  type Deployment,
  type Devnet,
  deployProtocol,
  epochLedgerAbi,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  HARDHAT_KEEPER_KEY,
  startDevnet,
  subnetRegistryAbi,
  writeDeployment,
} from '../../chain';
import { createProgress } from './progress';
import { blockNumber, hexNumber, rpc } from './rpc';

export interface HistoryParameters {
  /** Events to generate (at least; the last epoch may overshoot by one transaction's worth). */
  events: number;
  seed: number;
  /** Simulator rounds before the epochs (jobs, stake, registrations); scaled to `events` by default. */
  simRounds?: number;
  /** Neurons each subnet is filled up to before the epochs (the chain's cap is 256). */
  uidsPerSubnet?: number;
  /** Share of uids paid in an epoch (each paid uid adds a mint and its Transfer event). */
  paidShare?: number;
}

export interface History {
  devnet: Devnet;
  deployment: Deployment;
  /** The deployment as a file, for the indexer's DEPLOYMENT_FILE. */
  deploymentFile: string;
  /** Events generated, as counted from the simulator's logs and each posted epoch's known events. */
  events: number;
  /** The chain head when generation ended. */
  head: number;
  seconds: number;
  epochsPosted: number;
  /** Mints new blocks, each with one transaction and one event (for freshness). */
  mintOne(to: Address): Promise<void>;
  stop(): Promise<void>;
}

const GWEI = 1_000_000_000n;
const WEI = 10n ** 18n;
/** Fixed gas: estimating a 256-uid epoch costs as much as running it. Below the osaka cap of 2^24. */
const EPOCH_GAS = 16_000_000n;

const senders = new Map<string, ReturnType<typeof newSender>>();
/** One sender per key and node, so that its nonces stay in order whoever uses it. */
function createSender(url: string, chainId: number, key: Hex) {
  const k = `${url} ${key}`;
  let s = senders.get(k);
  if (!s) {
    s = newSender(url, chainId, key);
    senders.set(k, s);
  }
  return s;
}

/** A key's transactions, signed locally with explicit nonces and sent as raw transactions. */
function newSender(url: string, chainId: number, key: Hex) {
  const account: PrivateKeyAccount = privateKeyToAccount(key);
  let nonce: number | undefined;
  return {
    address: account.address.toLowerCase() as Address,
    async send(to: Address, data: Hex, gas: bigint): Promise<Hex> {
      nonce ??= Number(BigInt(await rpc<string>(url, 'eth_getTransactionCount', [account.address, 'pending'])));
      const raw = await account.signTransaction({
        type: 'eip1559',
        chainId,
        nonce: nonce++,
        to,
        data,
        gas,
        maxFeePerGas: 100n * GWEI,
        maxPriorityFeePerGas: GWEI,
      });
      // Hardhat mines it before answering (automine), and answers a revert with an error.
      return rpc<Hex>(url, 'eth_sendRawTransaction', [raw]);
    },
  };
}

/** mulberry32: a tiny seeded PRNG, so that the same seed posts the same epochs. */
function createPrng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface NeuronResult {
  stakeWeight: number;
  consensus: number;
  incentive: number;
  dividends: number;
  validatorTrust: number;
  rank: number;
  trust: number;
  validatorPermit: boolean;
}

/** The events one postEpoch emits: EpochFinalized, the owner's mint, and per uid its mint (if paid) and NeuronEpoch. */
export function epochEventCount(tempo: number, neurons: NeuronResult[]): number {
  const emission = BigInt(tempo) * WEI;
  let sumI = 0n;
  let sumD = 0n;
  for (const r of neurons) {
    sumI += BigInt(r.incentive);
    sumD += BigInt(r.dividends);
  }
  // The ledger's split (EpochLedger._split): 41% to miners by incentive, 41% to validators by dividends.
  const miners = (emission * 41n) / 100n;
  const validators = (emission * 41n) / 100n;
  let paidTotal = 0n;
  let paidCount = 0;
  for (const r of neurons) {
    let e = 0n;
    if (sumI > 0n) e = (miners * BigInt(r.incentive)) / sumI;
    if (sumD > 0n) e += (validators * BigInt(r.dividends)) / sumD;
    paidTotal += e;
    if (e > 0n) paidCount++;
  }
  return 1 + (emission - paidTotal > 0n ? 1 : 0) + neurons.length + paidCount;
}

async function logCount(url: string, from: number, to: number): Promise<number> {
  let n = 0;
  // Bounded ranges: one eth_getLogs over a big range makes the node hold every log at once.
  for (let b = from; b <= to; b += 2000) {
    const logs = await rpc<unknown[]>(url, 'eth_getLogs', [{ fromBlock: hexNumber(b), toBlock: hexNumber(Math.min(to, b + 1999)) }]);
    n += logs.length;
  }
  return n;
}

export async function generateHistory(p: HistoryParameters): Promise<History> {
  const started = performance.now();
  const devnet = await startDevnet({});
  const url = devnet.rpcUrl;
  try {
    const deployment = await deployProtocol({ rpcUrl: url });
    const { registry, ledger, token } = deployment.contracts;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-index-'));
    const deploymentFile = path.join(dir, 'deployment.json');
    writeDeployment(deploymentFile, deployment);
    let events = await logCount(url, 0, await blockNumber(url));

    // 1. The simulator's large population and some rounds of its activity.
    const sim = createSimulator({ rpcUrl: url, deployment, seed: p.seed, preset: 'large' });
    let bar = createProgress('history: simulator setup', 1, 'steps');
    await sim.setup();
    let head = await blockNumber(url);
    events = await logCount(url, 0, head);
    bar.finish(`${events.toLocaleString('en-US')} events, block ${head}`);
    const rounds = p.simRounds ?? Math.max(2, Math.round((20 * p.events) / 1_000_000));
    bar = createProgress('history: simulator rounds', rounds, 'rounds');
    for (let r = 0; r < rounds; r++) {
      await sim.round();
      const h = await blockNumber(url);
      events += await logCount(url, head + 1, h);
      head = h;
      bar.update(r + 1, `${events.toLocaleString('en-US')} events`);
    }
    bar.finish(`${events.toLocaleString('en-US')} events, block ${head}`);

    const deployer = createSender(url, deployment.chainId, HARDHAT_ACCOUNT0_KEY);
    const [subnetCount] = (await readContract(url, registry, subnetRegistryAbi, 'subnetCount', [])) as [number];

    // 2. Fill every subnet up to uidsPerSubnet neurons with the coldkeys' own hotkeys, so that each
    // epoch is one transaction of up to 256 NeuronEpoch events, as the keeper posts on a full subnet.
    const target = p.uidsPerSubnet ?? 256;
    const owners = new Map<Address, Hex>([[deployer.address, HARDHAT_ACCOUNT0_KEY]]);
    for (const o of sim.actors.subnetOwners) owners.set(o.address, o.key);
    const registrations: { coldkey: (typeof sim.actors.coldkeys)[number]; netuid: number; hotkey: Address }[] = [];
    const ownersOf = new Map<number, Address>();
    for (let netuid = 1; netuid <= subnetCount; netuid++) {
      const [subnet] = await readContract(url, registry, subnetRegistryAbi, 'getSubnet', [netuid]);
      ownersOf.set(netuid, (subnet as { owner: Address }).owner.toLowerCase() as Address);
      const [neurons] = (await readContract(url, registry, subnetRegistryAbi, 'getNeurons', [netuid])) as [{ hotkey: Address }[]];
      const taken = new Set(neurons.map((n) => n.hotkey.toLowerCase()));
      let missing = target - neurons.length;
      for (const c of sim.actors.coldkeys) {
        for (const h of c.hotkeys) {
          if (missing <= 0) break;
          if (taken.has(h.address)) continue;
          registrations.push({ coldkey: c, netuid, hotkey: h.address });
          taken.add(h.address);
          missing--;
        }
      }
    }
    if (registrations.length > 0) {
      // Registration burns neuronRegistrationCost: the deployer mints it to each coldkey first.
      const [cost] = (await readContract(url, registry, subnetRegistryAbi, 'neuronRegistrationCost', [])) as [bigint];
      const perColdkey = new Map<Address, bigint>();
      for (const r of registrations) perColdkey.set(r.coldkey.address, (perColdkey.get(r.coldkey.address) ?? 0n) + cost);
      bar = createProgress('history: neurons', registrations.length + perColdkey.size, 'txs');
      let done = 0;
      for (const [to, amount] of perColdkey) {
        if (amount > 0n)
          await deployer.send(token, encodeFunctionData({ abi: gridTokenAbi, functionName: 'mint', args: [to, amount] }), 200_000n);
        bar.update(++done);
      }
      // Different senders need no ordering: 4 at a time keeps the node busy without a queue.
      const byColdkey = new Map<Address, typeof registrations>();
      for (const r of registrations) byColdkey.set(r.coldkey.address, [...(byColdkey.get(r.coldkey.address) ?? []), r]);
      const queues = [...byColdkey.values()];
      await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let q = w; q < queues.length; q += 4) {
            const sender = createSender(url, deployment.chainId, queues[q]![0]!.coldkey.key);
            for (const r of queues[q]!) {
              await sender.send(
                registry,
                encodeFunctionData({ abi: subnetRegistryAbi, functionName: 'registerNeuron', args: [r.netuid, r.hotkey] }),
                300_000n,
              );
              bar.update(++done);
            }
          }
        }),
      );
      const h = await blockNumber(url);
      events += await logCount(url, head + 1, h);
      head = h;
      bar.finish(`${events.toLocaleString('en-US')} events, block ${head}`);
    }

    // 3. Each subnet's owner sets its tempo to the number of subnets: posting round-robin, one epoch
    // per block, every epoch is then due when its turn comes, and no empty blocks are needed.
    const subnets: { netuid: number; tempo: number; n: number }[] = [];
    for (let netuid = 1; netuid <= subnetCount; netuid++) {
      const [hp] = (await readContract(url, registry, subnetRegistryAbi, 'getHyperparameters', [netuid])) as [Record<string, unknown>];
      const key = owners.get(ownersOf.get(netuid)!);
      if (!key) throw new Error(`no key for the owner ${ownersOf.get(netuid)} of subnet ${netuid}`);
      const [, , , coldkeys] = (await readContract(url, registry, subnetRegistryAbi, 'epochPayees', [netuid])) as [
        Address,
        number,
        bigint,
        Address[],
      ];
      if (coldkeys.length === 0) continue;
      await createSender(url, deployment.chainId, key).send(
        registry,
        encodeFunctionData({
          abi: subnetRegistryAbi,
          functionName: 'setHyperparameters',
          // biome-ignore lint/suspicious/noExplicitAny: the struct as the registry returned it, tempo changed
          args: [netuid, { ...hp, tempo: subnetCount } as any],
        }),
        300_000n,
      );
      subnets.push({ netuid, tempo: subnetCount, n: coldkeys.length });
    }
    if (subnets.length === 0) throw new Error('no subnet has neurons: nothing to post epochs for');
    head = await blockNumber(url);
    events += subnets.length; // one HyperparametersSet each

    // 4. Epochs, round-robin over the subnets, until the target is reached.
    const keeper = createSender(url, deployment.chainId, HARDHAT_KEEPER_KEY);
    const rand = createPrng(p.seed ^ 0x5bd1e995);
    const u16 = () => Math.floor(rand() * 65536);
    const paidShare = p.paidShare ?? 0.1;
    const epochOf = new Map<number, number>();
    bar = createProgress('history: epochs', p.events, 'events');
    bar.update(events);
    let posted = 0;
    let pending: Promise<Hex> | undefined;
    while (events < p.events) {
      const s = subnets[posted % subnets.length]!;
      const epoch = (epochOf.get(s.netuid) ?? 0) + 1;
      epochOf.set(s.netuid, epoch);
      const neurons: NeuronResult[] = Array.from({ length: s.n }, () => ({
        stakeWeight: u16(),
        consensus: u16(),
        // Most uids earn nothing in an epoch (a mint per paid uid is most of an epoch's gas and time).
        incentive: rand() < paidShare ? u16() : 0,
        dividends: rand() < paidShare / 4 ? u16() : 0,
        validatorTrust: u16(),
        rank: u16(),
        trust: u16(),
        validatorPermit: rand() < 0.25,
      }));
      const data = encodeFunctionData({
        abi: epochLedgerAbi,
        functionName: 'postEpoch',
        args: [
          s.netuid,
          BigInt(head),
          keccak256(toHex(`bench:inputs:${s.netuid}:${epoch}`)),
          keccak256(toHex(`bench:bonds:${s.netuid}:${epoch}`)),
          neurons,
        ],
      });
      // Encode the next epoch while the node runs this one; the nonce order is kept by awaiting.
      await pending;
      pending = keeper.send(ledger, data, EPOCH_GAS);
      pending.catch(() => {});
      head++;
      posted++;
      events += epochEventCount(s.tempo, neurons);
      bar.update(events, `${posted} epochs, block ${head}`);
    }
    await pending;
    bar.finish(`${posted} epochs, block ${head}`);

    // Every posted epoch is on chain (a revert would have failed its send, but check the ledger too).
    const counts = await Promise.all(
      subnets.map(async (s) => Number((await readContract(url, ledger, epochLedgerAbi, 'epochCount', [s.netuid]))[0])),
    );
    const onChain = counts.reduce((a, b) => a + b, 0);
    if (onChain !== posted) throw new Error(`posted ${posted} epochs but the ledger holds ${onChain}`);
    head = await blockNumber(url);

    return {
      devnet,
      deployment,
      deploymentFile,
      events,
      head,
      seconds: (performance.now() - started) / 1000,
      epochsPosted: posted,
      async mintOne(to) {
        await deployer.send(token, encodeFunctionData({ abi: gridTokenAbi, functionName: 'mint', args: [to, WEI] }), 200_000n);
      },
      async stop() {
        await devnet.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await devnet.stop();
    throw err;
  }
}

/** eth_call of a view at the head, decoded into an array of its outputs. */
async function readContract(url: string, address: Address, abi: Abi, functionName: string, args: unknown[]): Promise<unknown[]> {
  // biome-ignore lint/suspicious/noExplicitAny: viem's generics cannot follow a function name chosen at run time
  const data = encodeFunctionData({ abi, functionName, args } as any);
  const out = await rpc<Hex>(url, 'eth_call', [{ to: address, data }, 'latest']);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const r = decodeFunctionResult({ abi, functionName, data: out } as any) as unknown;
  return Array.isArray(r) ? r : [r];
}
