/**
 * The keeper's I/O: every `tempo` blocks per subnet it reads the subnet's state at one block from
 * the registry's views, runs Yuma (epoch.ts) and posts the results to the EpochLedger.
 *
 * Bonds and permits are carried in memory from one epoch to the next. On start (or whenever the
 * ledger holds epochs the keeper has not computed, e.g. after a restart) it replays the subnet's
 * posted epochs from the first, reading each one's inputs at its block (the devnet keeps every
 * block's state), and checks each replayed epoch against the posted inputsHash and bondsHash.
 */
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  type PublicClient,
  parseGwei,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { artifacts } from '../contracts';
import { HARDHAT_KEEPER_KEY } from '../deploy-ledger';
import type { Deployment } from '../deployment';
import { devnetTransport } from '../devnet';
import { KeeperError } from '../errors';
import type { SparseU16Row } from '../yuma';
import { type BuiltEpoch, buildEpoch, buildPreviousBonds, type EpochInputs, ZERO_HASH } from './epoch';
import { createRegistryTracker, padPermits, type RegistryTracker } from './tracker';

export interface CreateKeeperParameters {
  rpcUrl: string;
  deployment: Deployment;
  /** Holds the ledger's KEEPER_ROLE; Hardhat's account #9 (HARDHAT_KEEPER_KEY) by default. */
  keeperKey?: Hex;
  /** Limit for a post's receipt; 60 s by default. */
  receiptTimeoutMs?: number;
  /**
   * Where epoch inputs come from: 'views' (default) reads the registry's views at the epoch's
   * block; 'logs' rebuilds the same state from the registry's events (tracker.ts), which costs no
   * EVM execution, and posts every due subnet's epoch at once (all sent, then all receipts), with
   * no eth_call first. For generating large histories; the inputs and hashes are the same.
   */
  source?: 'views' | 'logs';
  /**
   * Called after a batch of posts is sent and before their receipts are awaited: a devnet that
   * mines on demand (automine off) mines them here.
   */
  mine?: () => Promise<void>;
}

export interface PostedEpoch {
  netuid: number;
  epoch: number;
  block: number;
  txHash: Hex;
  gasUsed: bigint;
  /** Logs the post emitted (EpochFinalized, a NeuronEpoch per uid, the mints' Transfers). */
  events: number;
  built: BuiltEpoch;
  inputs: EpochInputs;
}

export interface KeeperRunParameters {
  signal?: AbortSignal;
  /** Pause between polls; 1000 ms by default. */
  pollMs?: number;
  onPosted?: (p: PostedEpoch) => void;
  /** Called with retryable errors; the keeper polls again after them. Others end run(). */
  onRetry?: (err: KeeperError) => void;
}

export interface Keeper {
  /** Posts every epoch that is due at the current head (at most one per subnet), in netuid order. */
  tick(): Promise<PostedEpoch[]>;
  /** Polls until the signal aborts or a non-retryable error. */
  run(params?: KeeperRunParameters): Promise<void>;
  /** Reads the inputs of `netuid`'s epoch `epoch` as of the end of `block`. */
  readInputs(netuid: number, block: number, epoch: number): Promise<EpochInputs>;
  readonly address: Address;
}

/** What the keeper carries from a subnet's last epoch to its next. */
interface Carried {
  epoch: number;
  block: number;
  bondsHash: Hex;
  bonds: SparseU16Row[];
  permits: boolean[];
}

/** A 256-uid post measured 9.5M gas, every uid paid to a fresh coldkey (test/chain.epoch-gas.test.ts). */
const POST_GAS_LIMIT = 16_000_000n;

const ROWS_PER_CALL = 16;

const NONE: Carried = { epoch: 0, block: 0, bondsHash: ZERO_HASH, bonds: [], permits: [] };

/** Reverts that a later poll can get past: the keeper raced a registration or read too early. */
const RETRYABLE_REVERTS = new Set(['NeuronRegisteredAfterEpoch', 'NeuronCountMismatch', 'EpochBlockNotPast', 'EpochNotDue']);

export function createKeeper(params: CreateKeeperParameters): Keeper {
  const { deployment } = params;
  const { registry, ledger } = deployment.contracts;
  const account = privateKeyToAccount(params.keeperKey ?? HARDHAT_KEEPER_KEY);
  // batch: an epoch's reads travel in a few HTTP requests.
  // 60 s: a 256-uid epoch's reads and post take seconds on a busy devnet, more than viem's 10 s default.
  const client: PublicClient = createPublicClient({ transport: devnetTransport(params.rpcUrl, { batchSize: 64, timeoutMs: 60_000 }) });
  const wallet = createWalletClient({ account, transport: http(params.rpcUrl, { retryCount: 0, timeout: 60_000 }) });
  const registryAbi = artifacts.SubnetRegistry.abi;
  const ledgerAbi = artifacts.EpochLedger.abi;
  const carried = new Map<number, Carried>();

  const rpcError = (what: string, cause: unknown) =>
    cause instanceof KeeperError ? cause : new KeeperError(`${what}: ${shortMessage(cause)}`, true, { cause });

  const readInputs = async (netuid: number, block: number, epoch: number, prev: Carried = NONE): Promise<EpochInputs> => {
    const at = { blockNumber: BigInt(block) } as const;
    const [[neurons, lastUpdates, stakes], hp] = await Promise.all([
      client.readContract({ address: registry, abi: registryAbi, functionName: 'getNeurons', args: [netuid], ...at }),
      client.readContract({ address: registry, abi: registryAbi, functionName: 'getHyperparameters', args: [netuid], ...at }),
    ]);
    // Rows in chunks: a historical eth_call is slow on the devnet, so few of them, each bounded.
    const chunks = await Promise.all(
      Array.from({ length: Math.ceil(neurons.length / ROWS_PER_CALL) }, (_, k) =>
        client.readContract({
          address: registry,
          abi: registryAbi,
          functionName: 'getWeightRows',
          args: [netuid, k * ROWS_PER_CALL, ROWS_PER_CALL],
          ...at,
        }),
      ),
    );
    const weights = chunks.flatMap(([uids, values]) => uids.map((u, i) => [u, values[i]!] as const));
    const registeredAt = neurons.map((n) => Number(n.registeredAtBlock));
    return {
      netuid,
      epoch,
      block,
      hyperparameters: { ...hp },
      hotkeys: neurons.map((n) => n.hotkey.toLowerCase() as Hex),
      stake: [...stakes],
      registeredAt,
      lastUpdate: lastUpdates.map(Number),
      validatorPermit: prev.epoch === 0 ? registeredAt.map(() => false) : padPermits(prev.permits, prev.block, registeredAt),
      weights: weights.map(([uids, values]) => ({ uids: [...uids], values: [...values] })),
      previousBondsHash: prev.bondsHash,
    };
  };

  const compute = async (netuid: number, block: number, prev: Carried): Promise<{ inputs: EpochInputs; built: BuiltEpoch }> => {
    const inputs = await readInputs(netuid, block, prev.epoch + 1, prev);
    return { inputs, built: buildEpoch(inputs, buildPreviousBonds(prev.bonds, prev.block, inputs.registeredAt)) };
  };

  const carry = (block: number, epoch: number, built: BuiltEpoch): Carried => ({
    epoch,
    block,
    bondsHash: built.bondsHash,
    bonds: built.bonds,
    permits: built.result.newPermit,
  });

  /** Brings the carried state up to the ledger's last epoch of `netuid`, replaying what is missing. */
  const sync = async (netuid: number): Promise<Carried> => {
    let state = carried.get(netuid) ?? NONE;
    const count = Number(await client.readContract({ address: ledger, abi: ledgerAbi, functionName: 'epochCount', args: [netuid] }));
    // More carried than posted: the chain was reset or reorganised under us; start over.
    if (state.epoch > count) state = NONE;
    for (let k = state.epoch + 1; k <= count; k++) {
      const rec = await client.readContract({ address: ledger, abi: ledgerAbi, functionName: 'getEpoch', args: [netuid, BigInt(k)] });
      const block = Number(rec.block);
      const { built } = await compute(netuid, block, state);
      if (built.inputsHash !== rec.inputsHash || built.bondsHash !== rec.bondsHash) {
        throw new KeeperError(
          `subnet ${netuid} epoch ${k} (block ${block}) on chain does not match its replay: ` +
            `inputsHash ${rec.inputsHash} vs ${built.inputsHash}, bondsHash ${rec.bondsHash} vs ${built.bondsHash}`,
          false,
        );
      }
      state = carry(block, k, built);
      carried.set(netuid, state);
    }
    return state;
  };

  const post = async (netuid: number, block: number, prev: Carried): Promise<PostedEpoch> => {
    const { inputs, built } = await compute(netuid, block, prev);
    let txHash: Hex;
    try {
      // One eth_call names any revert; then a fixed gas limit, because estimating a 256-uid post
      // re-executes it a dozen times (seconds on the devnet). The osaka cap is 16,777,216.
      await client.simulateContract({
        address: ledger,
        abi: ledgerAbi,
        functionName: 'postEpoch',
        args: built.args,
        account,
        blockTag: 'pending',
      });
      txHash = await wallet.writeContract({
        address: ledger,
        abi: ledgerAbi,
        functionName: 'postEpoch',
        args: built.args,
        chain: null,
        gas: POST_GAS_LIMIT,
      });
    } catch (cause) {
      const name = revertName(cause);
      const what = `posting subnet ${netuid} epoch ${inputs.epoch} (block ${block})`;
      if (name) throw new KeeperError(`${what} reverted with ${name}`, RETRYABLE_REVERTS.has(name), { cause });
      throw rpcError(what, cause);
    }
    const receipt = await client.waitForTransactionReceipt({
      hash: txHash,
      pollingInterval: 50,
      timeout: params.receiptTimeoutMs ?? 60_000,
    });
    if (receipt.status !== 'success') {
      throw new KeeperError(`posting subnet ${netuid} epoch ${inputs.epoch} reverted in tx ${txHash} (block ${receipt.blockNumber})`, true);
    }
    carried.set(netuid, carry(block, inputs.epoch, built));
    return { netuid, epoch: inputs.epoch, block, txHash, gasUsed: receipt.gasUsed, events: receipt.logs.length, built, inputs };
  };

  // ---- source 'logs': inputs from the registry's events, every due epoch posted at once ----

  const source = params.source ?? 'views';
  let tracker: RegistryTracker | undefined;
  let nonce: number | undefined;

  const replayLogs = async (netuid: number, count: number, from: Carried): Promise<Carried> => {
    let state = from;
    // A private tracker: the shared one is already at the head, the replay needs each epoch's block.
    const t = createRegistryTracker(deployment.startBlock);
    for (let k = state.epoch + 1; k <= count; k++) {
      const rec = await client.readContract({ address: ledger, abi: ledgerAbi, functionName: 'getEpoch', args: [netuid, BigInt(k)] });
      const block = Number(rec.block);
      await t.sync(client, registry, block);
      const inputs = t.inputs(netuid, k, state);
      const built = buildEpoch(inputs, buildPreviousBonds(state.bonds, state.block, inputs.registeredAt));
      if (built.inputsHash !== rec.inputsHash || built.bondsHash !== rec.bondsHash) {
        throw new KeeperError(`subnet ${netuid} epoch ${k} (block ${block}) on chain does not match its replay from logs`, false);
      }
      state = carry(block, k, built);
      carried.set(netuid, state);
    }
    return state;
  };

  const tickLogs = async (): Promise<PostedEpoch[]> => {
    let head: number;
    try {
      head = Number(await client.getBlockNumber({ cacheTime: 0 }));
      tracker ??= createRegistryTracker(deployment.startBlock);
      await tracker.sync(client, registry, head);
    } catch (cause) {
      throw rpcError(`reading the registry's logs from ${params.rpcUrl}`, cause);
    }
    const t = tracker;
    const netuids = [...t.subnets.keys()].sort((a, b) => a - b);
    const counts = await Promise.all(
      netuids.map(async (netuid) =>
        Number(await client.readContract({ address: ledger, abi: ledgerAbi, functionName: 'epochCount', args: [netuid] })),
      ),
    ).catch((cause) => Promise.reject(rpcError('reading epoch counts', cause)));
    nonce = await client.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const sent: { inputs: EpochInputs; built: BuiltEpoch; txHash: Hex }[] = [];
    for (const [i, netuid] of netuids.entries()) {
      let prev = carried.get(netuid) ?? NONE;
      if (prev.epoch > counts[i]!) prev = NONE; // the chain was reset under us
      if (prev.epoch < counts[i]!) prev = await replayLogs(netuid, counts[i]!, prev);
      const s = t.subnets.get(netuid)!;
      if (head < (prev.epoch === 0 ? s.registeredAt : prev.block) + s.hyperparameters.tempo) continue;
      const inputs = t.inputs(netuid, prev.epoch + 1, prev);
      const built = buildEpoch(inputs, buildPreviousBonds(prev.bonds, prev.block, inputs.registeredAt));
      const raw = await account.signTransaction({
        type: 'eip1559',
        chainId: deployment.chainId,
        nonce: nonce++,
        to: ledger,
        data: encodeFunctionData({ abi: ledgerAbi, functionName: 'postEpoch', args: built.args }),
        gas: POST_GAS_LIMIT,
        maxFeePerGas: parseGwei('100'),
        maxPriorityFeePerGas: parseGwei('1'),
      });
      try {
        sent.push({ inputs, built, txHash: await client.request({ method: 'eth_sendRawTransaction', params: [raw] }) });
      } catch (cause) {
        nonce = undefined;
        throw rpcError(`posting subnet ${netuid} epoch ${inputs.epoch} (block ${head})`, cause);
      }
    }
    if (sent.length === 0) return [];
    if (params.mine) await params.mine();
    const receipts = await Promise.all(
      sent.map((p) =>
        client.waitForTransactionReceipt({ hash: p.txHash, pollingInterval: 50, timeout: params.receiptTimeoutMs ?? 60_000 }),
      ),
    ).catch((cause) => Promise.reject(rpcError('waiting for epoch posts', cause)));
    return sent.map((p, k) => {
      const receipt = receipts[k]!;
      if (receipt.status !== 'success') {
        throw new KeeperError(
          `posting subnet ${p.inputs.netuid} epoch ${p.inputs.epoch} reverted in tx ${p.txHash} (block ${receipt.blockNumber})`,
          true,
        );
      }
      carried.set(p.inputs.netuid, carry(head, p.inputs.epoch, p.built));
      return {
        netuid: p.inputs.netuid,
        epoch: p.inputs.epoch,
        block: head,
        txHash: p.txHash,
        gasUsed: receipt.gasUsed,
        events: receipt.logs.length,
        built: p.built,
        inputs: p.inputs,
      };
    });
  };

  const tickViews = async (): Promise<PostedEpoch[]> => {
    let head: number;
    let subnetCount: number;
    try {
      head = Number(await client.getBlockNumber({ cacheTime: 0 }));
      subnetCount = await client.readContract({
        address: registry,
        abi: registryAbi,
        functionName: 'subnetCount',
        blockNumber: BigInt(head),
      });
    } catch (cause) {
      throw rpcError(`reading the chain head from ${params.rpcUrl}`, cause);
    }
    const posted: PostedEpoch[] = [];
    for (let netuid = 1; netuid <= subnetCount; netuid++) {
      try {
        const prev = await sync(netuid);
        const at = { blockNumber: BigInt(head) } as const;
        const [subnet, hp] = await Promise.all([
          client.readContract({ address: registry, abi: registryAbi, functionName: 'getSubnet', args: [netuid], ...at }),
          client.readContract({ address: registry, abi: registryAbi, functionName: 'getHyperparameters', args: [netuid], ...at }),
        ]);
        const due = (prev.epoch === 0 ? Number(subnet.registeredAtBlock) : prev.block) + hp.tempo;
        if (head < due) continue;
        posted.push(await post(netuid, head, prev));
      } catch (cause) {
        throw rpcError(`subnet ${netuid}`, cause);
      }
    }
    return posted;
  };

  const tick = (): Promise<PostedEpoch[]> => (source === 'logs' ? tickLogs() : tickViews());

  const run = async (opts: KeeperRunParameters = {}): Promise<void> => {
    const pollMs = opts.pollMs ?? 1000;
    while (!opts.signal?.aborted) {
      try {
        for (const p of await tick()) opts.onPosted?.(p);
      } catch (err) {
        if (!(err instanceof KeeperError) || !err.retryable) throw err;
        opts.onRetry?.(err);
      }
      await sleep(pollMs, opts.signal);
    }
  };

  return {
    tick,
    run,
    readInputs: (netuid, block, epoch) => readInputs(netuid, block, epoch, carried.get(netuid) ?? NONE),
    address: account.address.toLowerCase() as Address,
  };
}

function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

function shortMessage(err: unknown): string {
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
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
