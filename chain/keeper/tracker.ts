/**
 * The registry state an epoch reads, rebuilt from the registry's own events instead of its views:
 * the keeper's fast source (`source: 'logs'`). Reading a full subnet through the views runs
 * hundreds of thousands of EVM steps per epoch on the devnet (a weight row is unpacked element by
 * element); eth_getLogs is served without running the EVM. The rules mirror SubnetRegistry:
 *
 * - SubnetRegistered / HyperparametersSet: the subnet and its hyperparameters (tempo included);
 * - NeuronRegistered: uid takes (hotkey, coldkey), registered and LastUpdate at the log's block,
 *   with an empty weight row (a replaced uid's row is deleted: NeuronReplaced precedes it);
 * - WeightsSet: the uid's stored row (the event carries the stored, max-upscaled values) and
 *   LastUpdate = the log's block;
 * - StakeAdded / StakeRemoved: hotkeyStake(netuid, hotkey) = the event's running total.
 *
 * Pure apart from `sync` (eth_getLogs in bounded windows). test/chain.epochs.test.ts checks that
 * it gives the same inputs, hash for hash, as the views.
 */
import { type Address, decodeEventLog, type Hex, type PublicClient } from 'viem';
import { artifacts } from '../contracts';
import type { SparseU16Row } from '../yuma';
import { buildPermits, type ChainHyperparameters, type EpochInputs, ZERO_HASH } from './epoch';

export interface TrackedSubnet {
  netuid: number;
  registeredAt: number;
  hyperparameters: ChainHyperparameters;
  hotkeys: Address[];
  coldkeys: Address[];
  registeredAtBlocks: number[];
  lastUpdate: number[];
  weights: SparseU16Row[];
}

export interface RegistryLog {
  blockNumber: number;
  topics: [Hex, ...Hex[]] | [];
  data: Hex;
}

export interface RegistryTracker {
  /** The last block whose logs are applied (the state is the one at the end of it). */
  readonly block: number;
  readonly subnets: ReadonlyMap<number, TrackedSubnet>;
  /** Applies logs in chain order; all of them from blocks after `block`. */
  apply(logs: readonly RegistryLog[], throughBlock: number): void;
  /** Reads and applies the registry's logs up to the end of `block`. */
  sync(client: PublicClient, registry: Address, block: number): Promise<void>;
  hotkeyStake(netuid: number, hotkey: Address): bigint;
  /** EpochInputs of `netuid` at the tracker's block (as the keeper's readInputs builds them). */
  inputs(
    netuid: number,
    epoch: number,
    previous: { epoch: number; block: number; bondsHash: Hex; permits: readonly boolean[] },
  ): EpochInputs;
}

const abi = artifacts.SubnetRegistry.abi;
/** eth_getLogs window: never the whole chain in one call (STACK.md). */
const LOG_WINDOW = 2000;

export function createRegistryTracker(fromBlock = 0): RegistryTracker {
  let block = fromBlock - 1;
  const subnets = new Map<number, TrackedSubnet>();
  const stake = new Map<string, bigint>();

  const subnet = (netuid: number): TrackedSubnet => {
    const s = subnets.get(netuid);
    if (!s) throw new Error(`tracker: event for unknown subnet ${netuid}`);
    return s;
  };

  const applyOne = (log: RegistryLog) => {
    let ev: { eventName: string; args: Record<string, unknown> };
    try {
      ev = decodeEventLog({ abi, data: log.data, topics: log.topics }) as unknown as typeof ev;
    } catch {
      return; // an event of another contract at the same address cannot happen; skip unknown ones
    }
    const a = ev.args;
    const b = log.blockNumber;
    switch (ev.eventName) {
      case 'SubnetRegistered':
        subnets.set(Number(a.netuid), {
          netuid: Number(a.netuid),
          registeredAt: b,
          // Set by the HyperparametersSet that follows in the same transaction.
          hyperparameters: undefined as unknown as ChainHyperparameters,
          hotkeys: [],
          coldkeys: [],
          registeredAtBlocks: [],
          lastUpdate: [],
          weights: [],
        });
        return;
      case 'HyperparametersSet':
        subnet(Number(a.netuid)).hyperparameters = { ...(a.hyperparameters as ChainHyperparameters) };
        return;
      case 'NeuronRegistered': {
        const s = subnet(Number(a.netuid));
        const uid = Number(a.uid);
        s.hotkeys[uid] = (a.hotkey as string).toLowerCase() as Address;
        s.coldkeys[uid] = (a.coldkey as string).toLowerCase() as Address;
        s.registeredAtBlocks[uid] = b;
        s.lastUpdate[uid] = b;
        s.weights[uid] = { uids: [], values: [] };
        return;
      }
      case 'WeightsSet': {
        const s = subnet(Number(a.netuid));
        const uid = Number(a.uid);
        s.weights[uid] = { uids: [...(a.uids as number[])], values: [...(a.values as number[])] };
        s.lastUpdate[uid] = b;
        return;
      }
      case 'StakeAdded':
      case 'StakeRemoved':
        stake.set(`${Number(a.netuid)}:${(a.hotkey as string).toLowerCase()}`, a.hotkeyStake as bigint);
        return;
      default:
        return;
    }
  };

  const tracker: RegistryTracker = {
    get block() {
      return block;
    },
    subnets,
    apply(logs, throughBlock) {
      for (const log of logs) {
        if (log.blockNumber <= block) throw new Error(`tracker: log of block ${log.blockNumber} after block ${block} was applied`);
        applyOne(log);
      }
      if (throughBlock > block) block = throughBlock;
    },
    async sync(client, registry, to) {
      for (let from = block + 1; from <= to; from += LOG_WINDOW) {
        const end = Math.min(to, from + LOG_WINDOW - 1);
        const logs = await client.getLogs({ address: registry, fromBlock: BigInt(from), toBlock: BigInt(end) });
        tracker.apply(
          logs.map((l) => ({ blockNumber: Number(l.blockNumber), topics: l.topics, data: l.data })),
          end,
        );
      }
    },
    hotkeyStake: (netuid, hotkey) => stake.get(`${netuid}:${hotkey}`) ?? 0n,
    inputs(netuid, epoch, prev) {
      const s = subnet(netuid);
      const registeredAt = s.registeredAtBlocks.slice();
      return {
        netuid,
        epoch,
        block,
        hyperparameters: { ...s.hyperparameters },
        hotkeys: s.hotkeys.slice(),
        stake: s.hotkeys.map((h) => tracker.hotkeyStake(netuid, h)),
        registeredAt,
        lastUpdate: s.lastUpdate.slice(),
        validatorPermit: prev.epoch === 0 ? registeredAt.map(() => false) : padPermits(prev.permits, prev.block, registeredAt),
        weights: s.weights.map((r) => ({ uids: r.uids.slice(), values: r.values.slice() })),
        previousBondsHash: prev.epoch === 0 ? ZERO_HASH : prev.bondsHash,
      };
    },
  };
  return tracker;
}

/** Permits carried from the previous epoch, for the uids of this one (buildPermits' rule). */
export function padPermits(previous: readonly boolean[], previousBlock: number, registeredAt: readonly number[]): boolean[] {
  let bits = 0n;
  previous.forEach((p, uid) => {
    if (p) bits |= 1n << BigInt(uid);
  });
  return buildPermits(bits, previousBlock, registeredAt);
}
