/**
 * The simulator's I/O: turns the planner's actions into signed transactions, sends them in rounds
 * and checks every receipt. A round's transactions are sent one after another (so their order, and
 * with it every id and log, is the same on every run), then all receipts are awaited together, so
 * it works with automine and with interval mining alike.
 */
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  maxUint256,
  type PublicClient,
  parseEventLogs,
  parseGwei,
  toHex,
} from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { artifacts } from '../contracts';
import { HARDHAT_ACCOUNT0_KEY } from '../deploy';
import type { Deployment } from '../deployment';
import { devnetTransport } from '../devnet';
import { SimulatorError } from '../errors';
import type { ChainHyperparameters } from '../keeper/epoch';
import { createKeeper } from '../keeper/keeper';
import { createRegistryTracker } from '../keeper/tracker';
import { buildActors, type SimActors, sendingActors } from './actors';
import { type Action, applyAction, createModel, creditEpoch, ModelError, type SimModel, type SubnetModel } from './model';
import { type PlanContext, planRound, planSetup, virtualTime } from './planner';
import { planPopulate } from './populate';
import { type PresetName, presets, type SimPreset } from './presets';
import { createRng, deriveSeed, type Rng } from './prng';
import { mayWeight, planWeights, type SubnetChainView, validatorStyle, type WeightsMemory } from './validators';

export interface CreateSimulatorParameters {
  rpcUrl: string;
  deployment: Deployment;
  /** uint32 seed; the same seed on a fresh deployment gives the same transactions. */
  seed: number;
  preset: PresetName | SimPreset;
  /** Key of the deployer (it mints and creates markets); Hardhat's account #0 by default. */
  deployerKey?: Hex;
  /** Limit for one round's receipts; 60 s by default. */
  receiptTimeoutMs?: number;
  /**
   * Run the epoch keeper in-process after every round (true: with HARDHAT_KEEPER_KEY, or a key),
   * crediting what each epoch mints to the model. Off by default: `npm start` runs the keeper as
   * its own process, and then the model does not see emissions (it only ever under-counts balances).
   */
  keeper?: boolean | Hex;
  /**
   * The compute subnet's validator loop (inference/validator createModelWeights): with it, every
   * provider also registers its address as a neuron (a miner) on the compute subnet, and the honest
   * validators there set the row it returns (the model's scores as weights) instead of the hidden
   * quality; lazy and colluding ones behave as on other subnets. Called each round once an epoch has
   * granted permits; undefined (the service did not answer): honest validators skip the round there.
   */
  computeWeights?: (view: SubnetChainView) => Promise<{ uids: number[]; values: number[] } | undefined>;
  /**
   * 'auto' (default): the devnet mines on its own (automine or an interval). 'manual': the
   * simulator turns automine off and mines each round itself, all of the round's transactions in
   * one block, sent unsigned from impersonated accounts (Hardhat only; start the devnet with a
   * large blockGasLimit). For generating large histories fast; the transactions are the same.
   */
  mining?: 'auto' | 'manual';
}

export interface KindStats {
  txs: number;
  events: number;
}

export interface SimulatorProgress {
  round: number;
  txs: number;
  totalTxs: number;
}

export interface RunParameters {
  /** Stop after this many rounds; runs until aborted when omitted. */
  rounds?: number;
  signal?: AbortSignal;
  /** Pause between rounds, in ms (0 by default). */
  pauseMs?: number;
  onProgress?: (p: SimulatorProgress) => void;
}

export interface Simulator {
  /** Funds the actors, creates the markets and subnets. Needs a fresh deployment. */
  setup(): Promise<void>;
  round(): Promise<{ txs: number }>;
  /** Runs setup (if not yet done) and then rounds until `rounds` or the signal aborts. */
  run(params?: RunParameters): Promise<void>;
  /** The simulator's view of protocol state; read-only for callers. */
  readonly model: SimModel;
  /** Logs in the receipts of every transaction it sent (and of the in-process keeper's posts). */
  readonly events: number;
  /** Epochs the in-process keeper posted. */
  readonly epochs: number;
  /** Transactions and their logs per action type (the in-process keeper's posts as 'postEpoch'). */
  readonly stats: Readonly<Record<string, KindStats>>;
  readonly actors: SimActors;
}

/** Fixed gas per action: estimating would cost a round trip per tx and fails on pending state. */
const GAS: Record<Action['type'], bigint> = {
  mint: 120_000n,
  approve: 80_000n,
  createMarket: 250_000n,
  registerSubnet: 300_000n,
  registerNeuron: 250_000n,
  // Per hotkey (gasOf): about 130k for a fresh slot.
  registerNeurons: 200_000n,
  addStake: 250_000n,
  removeStake: 200_000n,
  // Only gasUsed is charged; a full 256-entry row uses about 1.5M.
  setWeights: 2_000_000n,
  registerProvider: 300_000n,
  postJob: 400_000n,
  // Batches: per job (gasOf).
  postJobs: 300_000n,
  claimJob: 150_000n,
  claimJobs: 120_000n,
  completeJob: 150_000n,
  completeJobs: 150_000n,
  approveJobs: 200_000n,
  setMarketParams: 150_000n,
  setMarketRequirements: 100_000n,
  heartbeat: 150_000n,
  approveJob: 250_000n,
  rejectJob: 200_000n,
  cancelJob: 150_000n,
  // Batches: market-planner.ts sizes them (about 80k gas per settled job, 40k per claimed reward).
  settleExpiredReviews: 6_000_000n,
  expireJobs: 4_000_000n,
  closeDueEpochs: 1_500_000n,
  claimRewardsFor: 8_000_000n,
};
const MAX_FEE = parseGwei('100');
const PRIORITY_FEE = parseGwei('1');
const ACTOR_ETH = 10_000n * 10n ** 18n;

/** Actions sent one at a time in manual mining: their order decides ids, or the rest relies on them. */
const ORDERED = new Set<Action['type']>([
  'createMarket',
  'registerSubnet',
  'registerNeuron',
  'registerNeurons',
  'postJob',
  'postJobs',
  'setMarketParams',
  'setMarketRequirements',
  'settleExpiredReviews',
  'expireJobs',
  'closeDueEpochs',
  'claimRewardsFor',
]);

/** Runs of one kind are independent of each other's order (the planner gives each actor one action a round). */
function sendKind(a: Action): string {
  switch (a.type) {
    case 'addStake':
    case 'removeStake':
    case 'registerNeuron':
    case 'registerNeurons':
      return 'registry';
    case 'registerProvider':
    case 'claimJob':
    case 'claimJobs':
    case 'completeJob':
    case 'completeJobs':
    case 'heartbeat':
      return 'provider';
    case 'postJob':
    case 'postJobs':
    case 'approveJob':
    case 'approveJobs':
    case 'rejectJob':
    case 'cancelJob':
      return 'sender';
    case 'mint':
    case 'approve':
    case 'setWeights':
      return a.type;
    default:
      return 'keeper';
  }
}

function gasOf(a: Action): bigint {
  switch (a.type) {
    case 'registerNeurons':
      return 60_000n + GAS.registerNeurons * BigInt(a.hotkeys.length);
    case 'postJobs':
    case 'completeJobs':
      return 60_000n + GAS[a.type] * BigInt(a.jobs.length);
    case 'claimJobs':
    case 'approveJobs':
      return 60_000n + GAS[a.type] * BigInt(a.jobIds.length);
    default:
      return GAS[a.type];
  }
}

function describe(a: Action): string {
  const { from, type, ...rest } = a;
  return `${type} from ${from} ${JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
}

export function createSimulator(params: CreateSimulatorParameters): Simulator {
  const preset: SimPreset = typeof params.preset === 'string' ? presets[params.preset] : params.preset;
  if (!preset) throw new SimulatorError(`unknown preset ${JSON.stringify(params.preset)}`);
  const { deployment, seed } = params;
  const { token, registry, market } = deployment.contracts;
  const receiptTimeoutMs = params.receiptTimeoutMs ?? 60_000;

  // batch: the receipts of a round are fetched in one HTTP request.
  // 300 s: with manual mining one evm_mine runs a whole round (or a setup batch of thousands of transactions).
  const client: PublicClient = createPublicClient({ transport: devnetTransport(params.rpcUrl, { batchSize: 500, timeoutMs: 300_000 }) });
  const actors = buildActors(seed, preset);
  const deployerAccount = privateKeyToAccount(params.deployerKey ?? HARDHAT_ACCOUNT0_KEY);
  const deployer = deployerAccount.address.toLowerCase() as Address;
  if (deployer !== deployment.deployer) {
    throw new SimulatorError(`deployer key is for ${deployer}, but the deployment was made by ${deployment.deployer}`);
  }
  const accounts = new Map<Address, PrivateKeyAccount>([[deployer, deployerAccount]]);
  for (const a of sendingActors(actors)) accounts.set(a.address, privateKeyToAccount(a.key));
  // Hotkeys send their own setWeights.
  const hotkeyActors = actors.coldkeys.flatMap((c) => c.hotkeys);
  const honestHotkeys = new Set(actors.coldkeys.flatMap((c, i) => (validatorStyle(i) === 'honest' ? c.hotkeys.map((h) => h.address) : [])));
  for (const h of hotkeyActors) accounts.set(h.address, privateKeyToAccount(h.key));
  const manual = params.mining === 'manual';
  const debug = process.env.GRIDMIND_SIM_DEBUG ? (msg: string) => console.error(`simulator: ${msg}`) : undefined;
  const mine = async () => {
    await client.request({ method: 'evm_mine' as 'eth_chainId', params: [] as never });
  };
  const keeper = params.keeper
    ? createKeeper({
        rpcUrl: params.rpcUrl,
        deployment,
        keeperKey: params.keeper === true ? undefined : params.keeper,
        ...(manual ? { source: 'logs' as const, mine } : {}),
      })
    : undefined;
  // The registry's state as its events describe it: the validators' view of each subnet.
  const tracker = createRegistryTracker(deployment.startBlock);
  // Its own stream, so that adding validators left every other choice of a seed as it was.
  const weightsRng: Rng = createRng(deriveSeed(seed, 'weights'));
  const weightsMemory: WeightsMemory = new Map();
  const nonces = new Map<Address, number>();

  const ctx: PlanContext = { seed, preset, actors, deployer };
  // Placeholder until setup() reads the chain's parameters.
  let model = createModel({ registrationCost: 0n, usdPerToken: 1n });
  const rng: Rng = createRng(deriveSeed(seed, 'rounds'));
  let isSetUp = false;
  let events = 0;
  let epochs = 0;
  const stats: Record<string, KindStats> = {};
  const count = (kind: string, logs: number) => {
    const s = stats[kind] ?? { txs: 0, events: 0 };
    s.txs++;
    s.events += logs;
    stats[kind] = s;
  };
  let computeNetuid = 0;
  // The registry's defaults for the preset's tempo (read at setup), for subnets registered with their own weights rate limit.
  let defaultHyperparameters: ChainHyperparameters | undefined;

  const encode = (a: Action): { to: Address; data: Hex } => {
    const t = artifacts.GridToken.abi;
    const r = artifacts.SubnetRegistry.abi;
    const m = artifacts.ComputeMarket.abi;
    switch (a.type) {
      case 'mint':
        return { to: token, data: encodeFunctionData({ abi: t, functionName: 'mint', args: [a.to, a.amount] }) };
      case 'approve':
        return {
          to: token,
          data: encodeFunctionData({ abi: t, functionName: 'approve', args: [a.spender === 'registry' ? registry : market, maxUint256] }),
        };
      case 'createMarket':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'createMarket', args: [a.kind, a.tier, a.name, a.usdPerUnit] }),
        };
      case 'registerSubnet': {
        if (a.weightsRateLimit === undefined) {
          return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'registerSubnet', args: [a.name, a.tempo] }) };
        }
        if (defaultHyperparameters?.tempo !== a.tempo) throw new SimulatorError(`no default hyperparameters read for tempo ${a.tempo}`);
        const hp = { ...defaultHyperparameters, weightsRateLimit: BigInt(a.weightsRateLimit) };
        return {
          to: registry,
          data: encodeFunctionData({ abi: r, functionName: 'registerSubnetWithHyperparameters', args: [a.name, hp] }),
        };
      }
      case 'registerNeuron':
        return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'registerNeuron', args: [a.netuid, a.hotkey] }) };
      case 'registerNeurons':
        return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'registerNeurons', args: [a.netuid, a.hotkeys] }) };
      case 'addStake':
        return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'addStake', args: [a.hotkey, a.netuid, a.amount] }) };
      case 'removeStake':
        return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'removeStake', args: [a.hotkey, a.netuid, a.amount] }) };
      case 'setWeights':
        return { to: registry, data: encodeFunctionData({ abi: r, functionName: 'setWeights', args: [a.netuid, a.uids, a.values] }) };
      case 'registerProvider':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'registerProvider', args: [a.gpuModel, a.vramGb, a.benchmarkScore, a.tier] }),
        };
      case 'postJob':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'postJob', args: [a.marketId, a.specHash, a.workEstimate, a.deadline] }),
        };
      case 'postJobs':
        return {
          to: market,
          data: encodeFunctionData({
            abi: m,
            functionName: 'postJobs',
            args: [
              a.jobs.map((j) => j.marketId),
              a.jobs.map((j) => j.specHash),
              a.jobs.map((j) => j.workEstimate),
              a.jobs.map((j) => j.deadline),
            ],
          }),
        };
      case 'claimJob':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: 'claimJob', args: [a.jobId] }) };
      case 'claimJobs':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: 'claimJobs', args: [a.jobIds] }) };
      case 'completeJobs':
        return {
          to: market,
          data: encodeFunctionData({
            abi: m,
            functionName: 'completeJobs',
            args: [a.jobs.map((j) => j.jobId), a.jobs.map((j) => j.resultHash), a.jobs.map((j) => j.workUnits)],
          }),
        };
      case 'approveJobs':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: 'approveJobs', args: [a.jobIds] }) };
      case 'completeJob':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'completeJob', args: [a.jobId, a.resultHash, a.workUnits] }),
        };
      case 'setMarketParams':
        return {
          to: market,
          data: encodeFunctionData({
            abi: m,
            functionName: 'setMarketParams',
            args: [a.marketId, BigInt(a.reviewWindow), BigInt(a.epochBlocks), a.workEmission, a.availabilityEmission],
          }),
        };
      case 'setMarketRequirements':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'setMarketRequirements', args: [a.marketId, a.minVramGb] }),
        };
      case 'heartbeat':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: 'heartbeat', args: [a.marketId] }) };
      case 'approveJob':
      case 'rejectJob':
      case 'cancelJob':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: a.type, args: [a.jobId] }) };
      case 'settleExpiredReviews':
      case 'expireJobs':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: a.type, args: [a.jobIds] }) };
      case 'closeDueEpochs':
        return { to: market, data: encodeFunctionData({ abi: m, functionName: 'closeDueEpochs', args: [a.marketIds] }) };
      case 'claimRewardsFor':
        return {
          to: market,
          data: encodeFunctionData({ abi: m, functionName: 'claimRewardsFor', args: [a.marketId, BigInt(a.epoch), a.providers] }),
        };
    }
  };

  const nextNonce = async (who: Address): Promise<number> => {
    let n = nonces.get(who);
    // Manual mining leaves nothing pending between rounds, and 'pending' would build the pending block.
    if (n === undefined) n = await client.getTransactionCount({ address: who, blockTag: manual ? 'latest' : 'pending' });
    nonces.set(who, n + 1);
    return n;
  };

  /**
   * Manual mining: sends a round's actions unsigned, from impersonated accounts, so that the block
   * holds them in the planned order wherever the order matters. The node takes a JSON-RPC batch's
   * requests concurrently (in no set order), and one request at a time costs a round trip each:
   * so consecutive actions of one kind go as one batch, and the kinds whose order decides ids
   * (postJob, registrations, setup) or that must precede the rest (the keeper's batches) go one at
   * a time. Every field is given: a default nonce or fee would make the node build its pending
   * block, that is run every transaction sent so far, once per transaction.
   */
  const sendManual = async (actions: Action[], hashes: Hex[]): Promise<void> => {
    const unknown = [...new Set(actions.map((a) => a.from))].filter((a) => !nonces.has(a));
    const fetched = await Promise.all(unknown.map((who) => client.getTransactionCount({ address: who, blockTag: 'latest' })));
    for (const [i, who] of unknown.entries()) nonces.set(who, fetched[i]!);
    const txs = actions.map((a) => {
      const { to, data } = encode(a);
      const nonce = nonces.get(a.from)!;
      nonces.set(a.from, nonce + 1);
      const tx = { from: a.from, to, data, gas: toHex(gasOf(a)), nonce: toHex(nonce), maxFeePerGas: toHex(MAX_FEE) };
      return { ...tx, maxPriorityFeePerGas: toHex(PRIORITY_FEE) };
    });
    const send = async (i: number) => {
      try {
        hashes[i] = (await client.request({ method: 'eth_sendTransaction' as 'eth_chainId', params: [txs[i]] as never })) as Hex;
      } catch (cause) {
        throw new SimulatorError(`sending ${describe(actions[i]!)} failed: ${(cause as Error).message}`, { cause });
      }
    };
    for (let start = 0; start < actions.length; ) {
      const kind = sendKind(actions[start]!);
      let end = start + 1;
      while (end < actions.length && sendKind(actions[end]!) === kind) end++;
      const ordered: number[] = [];
      const free: number[] = [];
      for (let i = start; i < end; i++) (ORDERED.has(actions[i]!.type) ? ordered : free).push(i);
      await Promise.all([
        (async () => {
          for (const i of ordered) await send(i);
        })(),
        Promise.all(free.map(send)),
      ]);
      start = end;
    }
  };

  /** Sends a batch of independent actions in order, then waits for and checks every receipt. */
  const execute = async (actions: Action[]): Promise<void> => {
    const t0 = performance.now();
    const hashes: Hex[] = [];
    for (const a of manual ? [] : actions) {
      const account = accounts.get(a.from);
      if (!account) throw new SimulatorError(`no key for ${a.from} (${a.type})`);
      const { to, data } = encode(a);
      const raw = await account.signTransaction({
        type: 'eip1559',
        chainId: deployment.chainId,
        nonce: await nextNonce(a.from),
        to,
        data,
        gas: gasOf(a),
        maxFeePerGas: MAX_FEE,
        maxPriorityFeePerGas: PRIORITY_FEE,
      });
      try {
        hashes.push(await client.request({ method: 'eth_sendRawTransaction', params: [raw] }));
      } catch (cause) {
        throw new SimulatorError(`sending ${describe(a)} failed: ${(cause as Error).message}`, { cause });
      }
    }
    let outcomes: TxOutcome[];
    if (manual && actions.length > 0) {
      await sendManual(actions, hashes);
      const sent = performance.now();
      await mine();
      const mined = performance.now();
      outcomes = await blockOutcomes(client, hashes, receiptTimeoutMs);
      if (debug) {
        debug(
          `${actions.length} txs: sent in ${(sent - t0).toFixed(0)} ms, mined in ${(mined - sent).toFixed(0)} ms, ` +
            `logs read in ${(performance.now() - mined).toFixed(0)} ms`,
        );
      }
    } else {
      outcomes = await waitForReceipts(client, hashes, receiptTimeoutMs);
      if (debug) debug(`receipts after ${(performance.now() - t0).toFixed(0)} ms`);
    }
    outcomes.forEach((receipt, i) => {
      const a = actions[i]!;
      events += receipt.logs.length;
      count(a.type, receipt.logs.length);
      if (receipt.status !== 'success') {
        throw new SimulatorError(
          `model and chain disagree: ${describe(a)} reverted in tx ${receipt.transactionHash} (block ${receipt.blockNumber})`,
        );
      }
      if (a.type === 'postJob' || a.type === 'postJobs') {
        const planned = a.type === 'postJob' ? [a] : a.jobs;
        const posted = parseEventLogs({ abi: artifacts.ComputeMarket.abi, eventName: 'JobPosted', logs: receipt.logs });
        planned.forEach((j, k) => {
          const p = posted[k];
          if (p?.args.jobId !== j.jobId || p.args.payment !== j.payment) {
            throw new SimulatorError(
              `model and chain disagree on job ${j.jobId}: chain posted id ${p?.args.jobId} with payment ${p?.args.payment} (tx ${receipt.transactionHash})`,
            );
          }
        });
      }
    });
  };

  const plan = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ModelError) throw new SimulatorError(`planner produced an invalid action: ${err.message}`, { cause: err });
      throw err;
    }
  };

  const setup = async (): Promise<void> => {
    if (isSetUp) return;
    const chainId = await client.getChainId();
    if (chainId !== deployment.chainId) throw new SimulatorError(`RPC chain id ${chainId} != deployment chain id ${deployment.chainId}`);
    const [registrationCost, neuronRegistrationCost, chainComputeNetuid, usdPerToken, subnetCount, marketCount] = await Promise.all([
      client.readContract({ address: registry, abi: artifacts.SubnetRegistry.abi, functionName: 'registrationCost' }),
      client.readContract({ address: registry, abi: artifacts.SubnetRegistry.abi, functionName: 'neuronRegistrationCost' }),
      client.readContract({ address: registry, abi: artifacts.SubnetRegistry.abi, functionName: 'computeNetuid' }),
      client.readContract({ address: market, abi: artifacts.ComputeMarket.abi, functionName: 'usdPerToken' }),
      client.readContract({ address: registry, abi: artifacts.SubnetRegistry.abi, functionName: 'subnetCount' }),
      client.readContract({ address: market, abi: artifacts.ComputeMarket.abi, functionName: 'marketCount' }),
    ]);
    // The model starts empty, so it can only follow a deployment nobody has used yet.
    // (deployProtocol registers the compute subnet, netuid 1.)
    if (subnetCount !== (chainComputeNetuid === 0 ? 0 : 1) || marketCount !== 0) {
      throw new SimulatorError(`deployment already has ${subnetCount} subnets and ${marketCount} markets; the simulator needs a fresh one`);
    }
    if (preset.weightsRateLimit !== undefined) {
      defaultHyperparameters = await client.readContract({
        address: registry,
        abi: artifacts.SubnetRegistry.abi,
        functionName: 'defaultHyperparameters',
        args: [preset.tempo],
      });
    }
    const subnets: SubnetModel[] = [];
    computeNetuid = Number(chainComputeNetuid);
    if (computeNetuid !== 0) {
      const s = await client.readContract({ address: registry, abi: artifacts.SubnetRegistry.abi, functionName: 'getSubnet', args: [1] });
      subnets.push({ netuid: 1, owner: s.owner.toLowerCase() as Address, name: s.name, tempo: s.tempo, hotkeys: [] });
    }
    model = createModel({ registrationCost, neuronRegistrationCost, usdPerToken, subnets });
    try {
      await Promise.all(
        [...sendingActors(actors), ...hotkeyActors].map((a) =>
          client.request({ method: 'hardhat_setBalance' as 'eth_chainId', params: [a.address, toHex(ACTOR_ETH)] as never }),
        ),
      );
    } catch (cause) {
      throw new SimulatorError(`funding actors with hardhat_setBalance failed (is ${params.rpcUrl} a Hardhat devnet?)`, { cause });
    }
    if (manual) {
      const all = [deployer, ...[...sendingActors(actors), ...hotkeyActors].map((a) => a.address)];
      await Promise.all(all.map((a) => client.request({ method: 'hardhat_impersonateAccount' as 'eth_chainId', params: [a] as never })));
      await client.request({ method: 'evm_setAutomine' as 'eth_chainId', params: [false] as never });
    }
    await syncClock(0);
    // Setup's first batch alternates mints (from the deployer) and approvals (from each actor): runs
    // of one transaction each, sent one round trip at a time. Neither depends on the other, so the
    // mints go first and the approvals after them, each as one batch.
    const batches = plan(() => planSetup(model, ctx)).map((b) => [
      ...b.filter((a) => a.type !== 'mint' && a.type !== 'approve'),
      ...b.filter((a) => a.type === 'mint'),
      ...b.filter((a) => a.type === 'approve'),
    ]);
    if (preset.populate) {
      const populate = createRng(deriveSeed(seed, 'populate'));
      // After the subnets exist (the last setup batch registers them).
      const last = batches.length;
      for (const [i, batch] of batches.entries()) {
        await execute(batch);
        if (i === last - 1) for (const b of plan(() => planPopulate(model, ctx, populate))) await execute(b);
      }
      batches.length = 0;
    }
    for (const batch of batches) await execute(batch);
    if (params.computeWeights && computeNetuid !== 0) {
      // Providers mine on the compute subnet: each registers its own address there as a hotkey.
      const fund: Action[] = actors.providers.flatMap((p): Action[] => [
        { type: 'mint', from: deployer, to: p.address, amount: neuronRegistrationCost },
        { type: 'approve', from: p.address, spender: 'registry' },
      ]);
      const register: Action[] = actors.providers.map((p) => ({
        type: 'registerNeuron',
        from: p.address,
        netuid: computeNetuid,
        hotkey: p.address,
      }));
      for (const batch of [fund, register]) {
        plan(() => {
          for (const a of batch) applyAction(model, a);
        });
        await execute(batch);
      }
    }
    isSetUp = true;
  };

  /**
   * Reads the head and moves the chain's clock to the round's virtual time (or one second past the
   * head, if a busy round ran it ahead), so that job deadlines, set on the virtual clock, pass on
   * chain when the model expects them to and the same seed gives the same transactions.
   */
  const syncClock = async (round: number): Promise<void> => {
    const head = await client.getBlock({ blockTag: 'latest' });
    const virtual = virtualTime(round);
    let next = head.timestamp + 1n > virtual ? head.timestamp + 1n : virtual;
    try {
      await client.request({ method: 'evm_setNextBlockTimestamp' as 'eth_chainId', params: [toHex(next)] as never });
    } catch {
      next = head.timestamp + 1n; // not a Hardhat node: the model still holds, with later expiries
    }
    model.clock = { block: Number(head.number), timestamp: next - 1n, txs: 0, oneBlock: manual };
  };

  const round = async (): Promise<{ txs: number }> => {
    if (!isSetUp) throw new SimulatorError('call setup() before round()');
    const r0 = performance.now();
    const views = await readWeightViews();
    const r1 = performance.now();
    const modelRows = new Map<number, { uids: number[]; values: number[] }>();
    const computeView = views.find((v) => v.netuid === computeNetuid && v.epochBlock > 0);
    // Only when an honest validator there may set weights this round: a scoring reads every provider's history.
    if (params.computeWeights && computeView?.hotkeys.some((h, uid) => honestHotkeys.has(h) && mayWeight(computeView, uid))) {
      const row = await params.computeWeights(computeView);
      if (row) modelRows.set(computeNetuid, row);
    }
    await syncClock(model.round + 1);
    const r2 = performance.now();
    const actions = plan(() => [...planRound(model, ctx, rng), ...planWeights(ctx, views, weightsRng, weightsMemory, modelRows)]);
    const r3 = performance.now();
    await execute(actions);
    const r4 = performance.now();
    if (keeper) {
      try {
        for (const p of await keeper.tick()) {
          creditEpoch(model, p.netuid, p.built.emission, p.built.ownerCut);
          events += p.events;
          count('postEpoch', p.events);
          epochs++;
        }
      } catch (cause) {
        throw new SimulatorError(`the in-process keeper failed: ${(cause as Error).message}`, { cause });
      }
    }
    if (debug) {
      const ms = (a: number, b: number) => (b - a).toFixed(0);
      debug(
        `round ${model.round}: views ${ms(r0, r1)} ms, clock ${ms(r1, r2)} ms, plan ${ms(r2, r3)} ms, ` +
          `execute ${ms(r3, r4)} ms, keeper ${ms(r4, performance.now())} ms`,
      );
    }
    return { txs: actions.length };
  };

  /**
   * Permits, LastUpdate and the head, per simulated subnet, as validators.ts needs them: the
   * registry's part from its events (tracker.ts: no EVM run per uid), the permits from the ledger.
   */
  const readWeightViews = async (): Promise<SubnetChainView[]> => {
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    await tracker.sync(client, registry, head);
    const l = artifacts.EpochLedger.abi;
    return Promise.all(
      model.subnets.map(async (s) => {
        const t = tracker.subnets.get(s.netuid);
        if (!t) throw new SimulatorError(`subnet ${s.netuid} has no SubnetRegistered event up to block ${head}`);
        const [bits, epochBlock] = await client.readContract({
          address: deployment.contracts.ledger,
          abi: l,
          functionName: 'validatorPermits',
          args: [s.netuid],
          blockNumber: BigInt(head),
        });
        return {
          netuid: s.netuid,
          head,
          weightsRateLimit: Number(t.hyperparameters.weightsRateLimit),
          permitBits: bits,
          epochBlock: Number(epochBlock),
          hotkeys: t.hotkeys.slice(),
          registeredAt: t.registeredAtBlocks.slice(),
          lastUpdate: t.lastUpdate.slice(),
        };
      }),
    );
  };

  const run = async (opts: RunParameters = {}): Promise<void> => {
    await setup();
    let totalTxs = 0;
    for (let i = 0; opts.rounds === undefined || i < opts.rounds; i++) {
      if (opts.signal?.aborted) return;
      const { txs } = await round();
      totalTxs += txs;
      opts.onProgress?.({ round: model.round, txs, totalTxs });
      if (opts.pauseMs && opts.pauseMs > 0) await sleep(opts.pauseMs, opts.signal);
    }
  };

  return {
    setup,
    round,
    run,
    get model() {
      return model;
    },
    get events() {
      return events;
    },
    get epochs() {
      return epochs;
    },
    get stats() {
      return stats;
    },
    actors,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface Receipt {
  status: 'success' | 'reverted';
  transactionHash: Hex;
  blockNumber: bigint;
  logs: {
    address: Address;
    topics: [Hex, ...Hex[]] | [];
    data: Hex;
    blockNumber: bigint | null;
    logIndex: number | null;
    transactionHash: Hex | null;
    transactionIndex: number | null;
    blockHash: Hex | null;
    removed: boolean;
  }[];
}

/** What execute() checks of a mined transaction. */
type TxOutcome = Pick<Receipt, 'status' | 'transactionHash' | 'blockNumber' | 'logs'>;

/**
 * Manual mining: the outcomes of a block's transactions from one eth_getLogs of the block (a
 * transaction with logs succeeded: a revert leaves none), and receipts only for those without
 * logs. A round of thousands of transactions would otherwise cost a receipt request each, which
 * takes the node about as long as mining them.
 */
async function blockOutcomes(client: PublicClient, hashes: Hex[], timeoutMs: number): Promise<TxOutcome[]> {
  const block = await client.getBlock({ blockTag: 'latest' });
  const inBlock = new Set(block.transactions);
  const logs = await client.getLogs({ blockHash: block.hash! });
  const byTx = new Map<Hex, TxOutcome['logs']>();
  for (const log of logs) {
    const list = byTx.get(log.transactionHash!);
    if (list) list.push(log as TxOutcome['logs'][number]);
    else byTx.set(log.transactionHash!, [log as TxOutcome['logs'][number]]);
  }
  const out: (TxOutcome | undefined)[] = hashes.map((h) => {
    const l = byTx.get(h);
    return l && inBlock.has(h) ? { status: 'success', transactionHash: h, blockNumber: block.number!, logs: l } : undefined;
  });
  const rest = hashes.map((h, i) => [h, i] as const).filter(([, i]) => !out[i]);
  if (rest.length > 0) {
    const receipts = await waitForReceipts(
      client,
      rest.map(([h]) => h),
      timeoutMs,
    );
    rest.forEach(([, i], k) => {
      out[i] = receipts[k];
    });
  }
  return out as TxOutcome[];
}

async function waitForReceipts(client: PublicClient, hashes: Hex[], timeoutMs: number): Promise<Receipt[]> {
  const out: (Receipt | undefined)[] = new Array(hashes.length);
  const deadline = Date.now() + timeoutMs;
  let pending = hashes.map((h, i) => [h, i] as const);
  while (pending.length > 0) {
    const results = await Promise.all(
      pending.map(([hash]) =>
        client
          .getTransactionReceipt({ hash })
          .catch((err: Error) => (err.name === 'TransactionReceiptNotFoundError' ? null : Promise.reject(err))),
      ),
    );
    pending = pending.filter(([, i], k) => {
      const r = results[k];
      if (r) out[i] = r as unknown as Receipt;
      return !r;
    });
    if (pending.length === 0) break;
    if (Date.now() > deadline)
      throw new SimulatorError(`${pending.length} of ${hashes.length} transactions not mined within ${timeoutMs} ms`);
    await sleep(25);
  }
  return out as Receipt[];
}
