/**
 * The keeper's pure part: chain state read at an epoch's block → Yuma inputs → Yuma results →
 * the ledger's postEpoch arguments, plus the two commitments it posts. No I/O.
 *
 * Canonical encodings (Solidity `abi.encode`, then keccak256), so that anyone holding the same
 * state (an archive node's eth_call at `block`, or the indexed events up to it) can recompute them:
 *
 *   inputsHash = keccak256(abi.encode(
 *     uint16 netuid, uint64 epoch, uint64 block,
 *     (uint16 tempo, uint16 maxUids, uint16 maxAllowedValidators, uint16 kappa, uint32 bondsMovingAverage,
 *      uint16 bondsPenalty, bool yuma3, bool liquidAlpha, uint16 alphaLow, uint16 alphaHigh,
 *      int16 alphaSigmoidSteepness, uint64 activityCutoff, uint64 immunityPeriod, uint64 weightsRateLimit,
 *      uint256 stakeThreshold) hyperparameters,
 *     address[] hotkeys, uint256[] stake, uint64[] registeredAt, uint64[] lastUpdate,
 *     bool[] validatorPermit, uint16[][] weightUids, uint16[][] weightValues,
 *     bytes32 previousBondsHash))
 *   bondsHash  = keccak256(abi.encode(uint16[][] bondUids, uint16[][] bondValues))
 *
 * Every array has one entry per uid 0..n−1 of the neurons registered at `block`; `stake` is the
 * uid's hotkey stake on the subnet; weights are the stored (max-upscaled) rows; `validatorPermit`
 * is the permit the epoch reads (below); `previousBondsHash` is the bondsHash posted by the
 * previous epoch of the subnet (zero for the first). Bonds are never stored on chain: each epoch's
 * bond rows are the previous epoch's output, so the keeper (or a verifier) recomputes them by
 * replaying the subnet's epochs from the first, and the posted bondsHash proves it got them right.
 *
 * Neurons registered after the previous epoch's block (a new uid, or a replaced one) start with
 * no permit and an empty bond row, as the registry's hasValidatorPermit also says.
 */
import { encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { type EpochResult, runEpoch, type SparseU16Row, type SubnetState, splitEmission, type YumaHyperparameters } from '../yuma';

/** The registry's Hyperparameters struct, as viem decodes it. */
export interface ChainHyperparameters {
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
}

/** Everything one epoch of one subnet reads, as of the end of `block`. */
export interface EpochInputs {
  netuid: number;
  /** 1 for a subnet's first epoch. */
  epoch: number;
  block: number;
  hyperparameters: ChainHyperparameters;
  hotkeys: Hex[];
  stake: bigint[];
  registeredAt: number[];
  lastUpdate: number[];
  /** Permits the epoch reads (the previous epoch's, see buildPermits). */
  validatorPermit: boolean[];
  weights: SparseU16Row[];
  previousBondsHash: Hex;
}

/** One uid's results as EpochLedger.postEpoch takes them, before packing (packNeuronResult). */
export interface NeuronResultArgs {
  stakeWeight: number;
  consensus: number;
  incentive: number;
  dividends: number;
  validatorTrust: number;
  rank: number;
  trust: number;
  validatorPermit: boolean;
}

export interface BuiltEpoch {
  inputsHash: Hex;
  bondsHash: Hex;
  /** postEpoch(netuid, epochBlock, inputsHash, bondsHash, neurons packed one word per uid). */
  args: readonly [number, bigint, Hex, Hex, bigint[]];
  neurons: NeuronResultArgs[];
  result: EpochResult;
  /** What the ledger will mint per uid (miners' + validators' share) and to the owner. */
  emission: bigint[];
  ownerCut: bigint;
  /** Bond rows after this epoch: the next epoch's previous bonds. */
  bonds: SparseU16Row[];
}

/** Mirrors EpochLedger.EMISSION_PER_BLOCK: 1 GRID per subnet block. */
export const EMISSION_PER_BLOCK = 10n ** 18n;
export const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`;

const HYPERPARAMETERS_TUPLE = {
  type: 'tuple',
  components: [
    { name: 'tempo', type: 'uint16' },
    { name: 'maxUids', type: 'uint16' },
    { name: 'maxAllowedValidators', type: 'uint16' },
    { name: 'kappa', type: 'uint16' },
    { name: 'bondsMovingAverage', type: 'uint32' },
    { name: 'bondsPenalty', type: 'uint16' },
    { name: 'yuma3', type: 'bool' },
    { name: 'liquidAlpha', type: 'bool' },
    { name: 'alphaLow', type: 'uint16' },
    { name: 'alphaHigh', type: 'uint16' },
    { name: 'alphaSigmoidSteepness', type: 'int16' },
    { name: 'activityCutoff', type: 'uint64' },
    { name: 'immunityPeriod', type: 'uint64' },
    { name: 'weightsRateLimit', type: 'uint64' },
    { name: 'stakeThreshold', type: 'uint256' },
  ],
} as const;

const INPUTS_ABI = [
  { type: 'uint16' },
  { type: 'uint64' },
  { type: 'uint64' },
  HYPERPARAMETERS_TUPLE,
  { type: 'address[]' },
  { type: 'uint256[]' },
  { type: 'uint64[]' },
  { type: 'uint64[]' },
  { type: 'bool[]' },
  { type: 'uint16[][]' },
  { type: 'uint16[][]' },
  { type: 'bytes32' },
] as const;

const BONDS_ABI = [{ type: 'uint16[][]' }, { type: 'uint16[][]' }] as const;

/** keccak256 of the canonical encoding of an epoch's inputs (module comment). */
export function hashEpochInputs(x: EpochInputs): Hex {
  return keccak256(
    encodeAbiParameters(INPUTS_ABI, [
      x.netuid,
      BigInt(x.epoch),
      BigInt(x.block),
      x.hyperparameters,
      x.hotkeys,
      x.stake,
      x.registeredAt.map(BigInt),
      x.lastUpdate.map(BigInt),
      x.validatorPermit,
      x.weights.map((r) => r.uids),
      x.weights.map((r) => r.values),
      x.previousBondsHash,
    ]),
  );
}

/** keccak256 of the canonical encoding of bond rows (module comment). */
export function hashBonds(rows: readonly SparseU16Row[]): Hex {
  return keccak256(encodeAbiParameters(BONDS_ABI, [rows.map((r) => r.uids), rows.map((r) => r.values)]));
}

/**
 * The permits an epoch reads: bit uid of the ledger's last permit bitmap, for neurons registered
 * no later than that epoch's block (EpochLedger.validatorPermits + SubnetRegistry.hasValidatorPermit).
 */
export function buildPermits(bits: bigint, previousEpochBlock: number, registeredAt: readonly number[]): boolean[] {
  return registeredAt.map((r, uid) => previousEpochBlock > 0 && ((bits >> BigInt(uid)) & 1n) === 1n && r <= previousEpochBlock);
}

/**
 * The bond rows an epoch reads: the previous epoch's rows, an empty row for every uid registered
 * after the previous epoch's block (new or replaced) and for uids the previous epoch did not have.
 */
export function buildPreviousBonds(
  previous: readonly SparseU16Row[],
  previousEpochBlock: number,
  registeredAt: readonly number[],
): SparseU16Row[] {
  return registeredAt.map((r, uid) => {
    const row = previous[uid];
    if (!row || r > previousEpochBlock) return { uids: [], values: [] };
    return { uids: row.uids.slice(), values: row.values.slice() };
  });
}

export function toYumaHyperparameters(hp: ChainHyperparameters): YumaHyperparameters {
  return {
    kappa: hp.kappa,
    bondsMovingAverage: hp.bondsMovingAverage,
    bondsPenalty: hp.bondsPenalty,
    yuma3: hp.yuma3,
    liquidAlpha: hp.liquidAlpha,
    alphaLow: hp.alphaLow,
    alphaHigh: hp.alphaHigh,
    alphaSigmoidSteepness: hp.alphaSigmoidSteepness,
    maxAllowedValidators: hp.maxAllowedValidators,
    activityCutoff: Number(hp.activityCutoff),
    tempo: hp.tempo,
    stakeThreshold: hp.stakeThreshold,
  };
}

/** The Yuma state of an epoch: its inputs plus the bond rows it carries from the previous one. */
export function buildSubnetState(x: EpochInputs, previousBonds: readonly SparseU16Row[]): SubnetState {
  return {
    stake: x.stake.slice(),
    lastUpdate: x.lastUpdate.slice(),
    registeredAt: x.registeredAt.slice(),
    weights: x.weights.map((r) => ({ uids: r.uids.slice(), values: r.values.slice() })),
    bonds: previousBonds.map((r) => ({ uids: r.uids.slice(), values: r.values.slice() })),
    validatorPermit: x.validatorPermit.slice(),
  };
}

/**
 * Runs Yuma on one epoch's inputs and builds what the keeper posts.
 * `previousBonds` are buildPreviousBonds(...) of the previous epoch's `bonds` (or [] for the first).
 *
 * @example
 * const built = buildEpoch(inputs, previousBonds);
 * await wallet.writeContract({ ...ledger, functionName: 'postEpoch', args: built.args });
 */
export function buildEpoch(x: EpochInputs, previousBonds: readonly SparseU16Row[]): BuiltEpoch {
  const total = BigInt(x.hyperparameters.tempo) * EMISSION_PER_BLOCK;
  const result = runEpoch(buildSubnetState(x, previousBonds), {
    hyperparameters: toYumaHyperparameters(x.hyperparameters),
    block: x.block,
    emission: total,
  });
  const split = splitEmission(total, result.incentive, result.dividends);
  const emission = split.miners.map((m, i) => m + split.validators[i]!);
  const neurons: NeuronResultArgs[] = result.stakeWeight.map((_, i) => ({
    stakeWeight: result.stakeWeight[i]!,
    consensus: result.consensus[i]!,
    incentive: result.incentive[i]!,
    dividends: result.dividends[i]!,
    validatorTrust: result.validatorTrust[i]!,
    rank: result.rank[i]!,
    trust: result.trust[i]!,
    validatorPermit: result.newPermit[i]!,
  }));
  const inputsHash = hashEpochInputs(x);
  const bondsHash = hashBonds(result.bonds);
  return {
    inputsHash,
    bondsHash,
    args: [x.netuid, BigInt(x.block), inputsHash, bondsHash, neurons.map(packNeuronResult)] as const,
    neurons,
    result,
    emission,
    ownerCut: split.owner,
    bonds: result.bonds,
  };
}

/** EpochLedger.postEpoch's word for one uid: seven u16 fields from bit 0 up, the permit at bit 112. */
export function packNeuronResult(r: NeuronResultArgs): bigint {
  const fields = [r.stakeWeight, r.consensus, r.incentive, r.dividends, r.validatorTrust, r.rank, r.trust];
  let w = r.validatorPermit ? 1n << 112n : 0n;
  fields.forEach((f, k) => {
    w |= BigInt(f) << BigInt(16 * k);
  });
  return w;
}
