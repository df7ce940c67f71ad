/**
 * `verify`: recomputes a subnet's posted epochs from indexed data alone and compares them with what
 * the keeper posted. Pure: takes rows, returns results (the resolver does the three reads).
 *
 * The inputs are rebuilt exactly as the keeper reads them from the chain (chain/keeper/keeper.ts
 * readInputs), but from the registry's decoded events (chain_event) up to each epoch's block:
 * HyperparametersSet, NeuronRegistered (a replacement re-registers the uid: new hotkey, new
 * registration block, LastUpdate = that block, weights cleared), WeightsSet (row and LastUpdate),
 * StakeAdded/StakeRemoved (the hotkey's stake on the subnet, as the event states it after the change).
 * Bonds and permits are carried from the replay of the previous epochs with the keeper's own pure
 * functions (buildEpoch, buildPreviousBonds, buildPermits), so a tampered epoch does not spill into
 * the next one's verification, and the recomputed inputsHash must equal the posted one.
 */
import type { Hex } from 'viem';
import {
  type BuiltEpoch,
  buildEpoch,
  buildPermits,
  buildPreviousBonds,
  type ChainHyperparameters,
  type EpochInputs,
  ZERO_HASH,
} from '../chain/keeper';
import type { SparseU16Row } from '../chain/yuma';

/** The registry events an epoch reads, in chain order. */
export const REGISTRY_EVENTS = ['HyperparametersSet', 'NeuronRegistered', 'WeightsSet', 'StakeAdded', 'StakeRemoved'] as const;

export interface RegistryEventRow {
  name: string;
  blockNumber: number;
  /** chain_event.args: integers beyond 2^53 (uint64, uint256) as decimal strings. */
  args: Record<string, unknown>;
}

export interface PostedEpochRow {
  epoch: number;
  block: number;
  inputsHash: string;
  ownerCut: string;
}

export interface PostedNeuronRow {
  uid: number;
  hotkey: string;
  stakeWeight: number;
  consensus: number;
  incentive: number;
  dividends: number;
  validatorTrust: number;
  rank: number;
  trust: number;
  emission: string;
  validatorPermit: boolean;
}

export interface Mismatch {
  /** null for a field of the epoch itself (inputsHash, ownerCut, neuronCount). */
  uid: number | null;
  field: string;
  /** What the recomputation gives. */
  expected: string;
  /** What the keeper posted (as indexed). */
  actual: string;
}

export interface Verification {
  matches: boolean;
  inputsHash: string;
  mismatches: Mismatch[];
}

const u64 = (v: unknown) => BigInt(v as string | number);

function toHyperparameters(hp: Record<string, unknown>): ChainHyperparameters {
  return {
    tempo: Number(hp.tempo),
    maxUids: Number(hp.maxUids),
    maxAllowedValidators: Number(hp.maxAllowedValidators),
    kappa: Number(hp.kappa),
    bondsMovingAverage: Number(hp.bondsMovingAverage),
    bondsPenalty: Number(hp.bondsPenalty),
    yuma3: Boolean(hp.yuma3),
    liquidAlpha: Boolean(hp.liquidAlpha),
    alphaLow: Number(hp.alphaLow),
    alphaHigh: Number(hp.alphaHigh),
    alphaSigmoidSteepness: Number(hp.alphaSigmoidSteepness),
    activityCutoff: u64(hp.activityCutoff),
    immunityPeriod: u64(hp.immunityPeriod),
    weightsRateLimit: u64(hp.weightsRateLimit),
    stakeThreshold: u64(hp.stakeThreshold),
  };
}

/**
 * Replays `epochs` (a subnet's posted epochs 1..k, in order, no gaps) over `events` (that subnet's
 * registry events up to epoch k's block, in chain order) and returns each epoch's recomputation.
 */
export function replayEpochs(netuid: number, events: readonly RegistryEventRow[], epochs: readonly PostedEpochRow[]): BuiltEpoch[] {
  const hotkeys: Hex[] = [];
  const registeredAt: number[] = [];
  const lastUpdate: number[] = [];
  const weights: SparseU16Row[] = [];
  const hotkeyStake = new Map<string, bigint>();
  let hp: ChainHyperparameters | undefined;
  let cursor = 0;
  const advanceTo = (block: number) => {
    for (; cursor < events.length && events[cursor].blockNumber <= block; cursor++) {
      const { name, blockNumber: b, args: a } = events[cursor];
      switch (name) {
        case 'HyperparametersSet':
          hp = toHyperparameters(a.hyperparameters as Record<string, unknown>);
          break;
        case 'NeuronRegistered': {
          const uid = Number(a.uid);
          hotkeys[uid] = String(a.hotkey).toLowerCase() as Hex;
          registeredAt[uid] = b;
          lastUpdate[uid] = b;
          weights[uid] = { uids: [], values: [] };
          break;
        }
        case 'WeightsSet': {
          const uid = Number(a.uid);
          weights[uid] = { uids: (a.uids as number[]).map(Number), values: (a.values as number[]).map(Number) };
          lastUpdate[uid] = b;
          break;
        }
        case 'StakeAdded':
        case 'StakeRemoved':
          hotkeyStake.set(String(a.hotkey).toLowerCase(), u64(a.hotkeyStake));
          break;
      }
    }
  };

  const out: BuiltEpoch[] = [];
  let prev: { block: number; bondsHash: Hex; bonds: SparseU16Row[]; permits: boolean[] } | undefined;
  for (const [i, e] of epochs.entries()) {
    if (e.epoch !== i + 1) throw new Error(`subnet ${netuid}: epoch ${i + 1} is not indexed`);
    advanceTo(e.block);
    if (!hp) throw new Error(`subnet ${netuid}: no HyperparametersSet before block ${e.block}`);
    let bits = 0n;
    for (const [uid, p] of (prev?.permits ?? []).entries()) if (p) bits |= 1n << BigInt(uid);
    const inputs: EpochInputs = {
      netuid,
      epoch: e.epoch,
      block: e.block,
      hyperparameters: hp,
      hotkeys: hotkeys.slice(),
      stake: hotkeys.map((h) => hotkeyStake.get(h) ?? 0n),
      registeredAt: registeredAt.slice(),
      lastUpdate: lastUpdate.slice(),
      // The keeper's rule (keeper.ts padPermits): none before the first epoch.
      validatorPermit: prev ? buildPermits(bits, prev.block, registeredAt) : registeredAt.map(() => false),
      weights: weights.map((w) => ({ uids: w.uids.slice(), values: w.values.slice() })),
      previousBondsHash: prev?.bondsHash ?? ZERO_HASH,
    };
    const built = buildEpoch(inputs, buildPreviousBonds(prev?.bonds ?? [], prev?.block ?? 0, registeredAt));
    out.push(built);
    prev = { block: e.block, bondsHash: built.bondsHash, bonds: built.bonds, permits: built.result.newPermit };
  }
  return out;
}

const NEURON_FIELDS = ['stakeWeight', 'consensus', 'incentive', 'dividends', 'validatorTrust', 'rank', 'trust'] as const;

/** Compares one recomputed epoch with the posted rows of that epoch (any order). */
export function compareEpoch(built: BuiltEpoch, posted: PostedEpochRow, neurons: readonly PostedNeuronRow[]): Verification {
  const mismatches: Mismatch[] = [];
  const add = (uid: number | null, field: string, expected: unknown, actual: unknown) => {
    if (String(expected) !== String(actual)) mismatches.push({ uid, field, expected: String(expected), actual: String(actual) });
  };
  add(null, 'inputsHash', built.inputsHash, posted.inputsHash);
  add(null, 'ownerCut', built.ownerCut, posted.ownerCut);
  const n = built.result.stakeWeight.length;
  add(null, 'neuronCount', n, neurons.length);
  const byUid = new Map(neurons.map((r) => [r.uid, r]));
  for (let uid = 0; uid < n; uid++) {
    const row = byUid.get(uid);
    if (!row) {
      mismatches.push({ uid, field: 'row', expected: 'posted', actual: 'missing' });
      continue;
    }
    for (const f of NEURON_FIELDS) add(uid, f, built.result[f][uid], row[f]);
    add(uid, 'validatorPermit', built.result.newPermit[uid], row.validatorPermit);
    add(uid, 'emission', built.emission[uid], row.emission);
  }
  for (const row of neurons) if (row.uid >= n) mismatches.push({ uid: row.uid, field: 'row', expected: 'absent', actual: 'posted' });
  return { matches: mismatches.length === 0, inputsHash: built.inputsHash, mismatches };
}
