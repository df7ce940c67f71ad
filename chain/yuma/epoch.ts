/**
 * One Yuma Consensus epoch, the sparse path of subtensor's `epoch_mechanism` (commit 8d7a74620c55),
 * on an explicit subnet state. Pure: values in, values out. Step numbers refer to FORMAT.md §3.
 *
 * Sparse rows are parallel arrays (`idx` ascending, `val`), because the chain's results depend on
 * which entries exist, not only on their values (a stored 0 is still an entry).
 */

import {
  add,
  clamp,
  div,
  emaRate,
  exp,
  type Fixed,
  fromInt,
  fromU16,
  fromU16Proportion,
  HALF,
  maxUpscaleToU16,
  mul,
  normalize,
  ONE,
  ratioOfInts,
  stakeWeights,
  sub,
  toU16,
  U16_MAX_FIXED,
} from './fixed';

/** A stored sparse row of u16 values (weights or bonds), `uids` ascending. */
export interface SparseU16Row {
  uids: number[];
  values: number[];
}

/** Subnet state that the epoch reads, indexed by uid 0..n−1. */
export interface SubnetState {
  /** Stake in rao. */
  stake: bigint[];
  /** Block of the uid's last `set_weights` (its registration block until then). */
  lastUpdate: number[];
  registeredAt: number[];
  /** Stored weight rows (max-upscaled u16). */
  weights: SparseU16Row[];
  /** Stored bond rows (classic: column max-upscaled u16; Yuma3: floor(B·65535)). */
  bonds: SparseU16Row[];
  /** Permits written by the previous epoch. */
  validatorPermit: boolean[];
}

export interface YumaHyperparameters {
  kappa: number;
  bondsMovingAverage: number;
  bondsPenalty: number;
  yuma3: boolean;
  liquidAlpha: boolean;
  alphaLow: number;
  alphaHigh: number;
  alphaSigmoidSteepness: number;
  maxAllowedValidators: number;
  activityCutoff: number;
  tempo: number;
  /** Stakes below it count as 0 (rao). */
  stakeThreshold: bigint;
}

export interface RunEpochParameters {
  hyperparameters: YumaHyperparameters;
  block: number;
  /** Emission of this epoch, rao. */
  emission: bigint;
}

/** Per-uid outputs, each array indexed by uid. u16 fields are floor(x·65535). */
export interface EpochResult {
  active: boolean[];
  /** Permit written by this epoch (used by the next one). */
  newPermit: boolean[];
  stakeWeight: number[];
  consensus: number[];
  incentive: number[];
  dividends: number[];
  validatorTrust: number[];
  rank: number[];
  trust: number[];
  /** floor(e_i·E), rao; Σ ≤ E. */
  emission: bigint[];
  /** Bond rows as stored after this epoch (empty for uids without a new permit). */
  bonds: SparseU16Row[];
  /** Subtensor's pruning score: the normalised emission, max-upscaled to u16. */
  pruningScores: number[];
  /** The state to store: permits and bonds replaced, everything else as given. */
  state: SubnetState;
}

/** Sparse row of I32F32 values. */
interface Row {
  idx: number[];
  val: Fixed[];
}

const emptyRow = (): Row => ({ idx: [], val: [] });

/**
 * Top-k by stake weight (`is_topk_nonzero`): ascending stable sort, so among equal stakes the
 * lower uids lose; a zero stake never gets a permit; with n < k nobody is cut.
 */
export function topKPermits(stake: readonly Fixed[], k: number): boolean[] {
  const n = stake.length;
  const result = stake.map((s) => s !== 0n);
  if (n < k) return result;
  const order = stake.map((_, i) => i);
  order.sort((a, b) => (stake[a] < stake[b] ? -1 : stake[a] > stake[b] ? 1 : a - b));
  for (let r = 0; r < n - k; r++) result[order[r]] = false;
  return result;
}

/**
 * Stake-weighted median of `score` over the partition `idx` (subtensor's `weighted_median`):
 * mid pivot, strict-inequality partitions, entries equal to the pivot dropped. The mid pivot makes
 * the result depend on uid order only in knife-edge ties of cumulative stake.
 */
export function weightedMedian(
  stake: readonly Fixed[],
  score: readonly Fixed[],
  idx: readonly number[],
  minority: Fixed,
  lo: Fixed,
  hi: Fixed,
): Fixed {
  let cur = idx.slice();
  const limit = idx.length;
  for (let iter = 0; iter <= limit; iter++) {
    const n = cur.length;
    if (n === 0) return 0n;
    if (n === 1) return score[cur[0]];
    const pivot = score[cur[n >> 1]];
    const lower: number[] = [];
    const upper: number[] = [];
    let loStake = 0n;
    let hiStake = 0n;
    for (const v of cur) {
      const s = score[v];
      if (s === pivot) continue;
      if (s < pivot) {
        loStake += stake[v];
        lower.push(v);
      } else {
        hiStake += stake[v];
        upper.push(v);
      }
    }
    if (minority < lo + loStake && lower.length > 0) {
      cur = lower;
      hi = lo + loStake;
    } else if (hi - hiStake <= minority && upper.length > 0) {
      cur = upper;
      lo = hi - hiStake;
    } else {
      return pivot;
    }
  }
  // The chain's safety limit; unreachable since every round drops the pivot.
  return 0n;
}

/**
 * Column-wise consensus (`weighted_median_col_sparse`): voters are the uids with positive active
 * stake, in uid order, their stake renormalised; minority = Σa − κ.
 */
export function consensusSparse(activeStake: readonly Fixed[], weights: readonly Row[], n: number, kappa: Fixed): Fixed[] {
  const voters: number[] = [];
  for (let i = 0; i < activeStake.length; i++) if (activeStake[i] > 0n) voters.push(i);
  const a = normalize(voters.map((i) => activeStake[i]));
  let stakeSum = 0n;
  for (const x of a) stakeSum += x;
  const minority = stakeSum - kappa;
  const m = voters.length;
  const cols: Fixed[][] = [];
  for (let j = 0; j < n; j++) cols.push(new Array<Fixed>(m).fill(0n));
  for (let k = 0; k < m; k++) {
    const row = weights[voters[k]];
    for (let e = 0; e < row.idx.length; e++) cols[row.idx[e]][k] = row.val[e];
  }
  const all = voters.map((_, k) => k);
  return cols.map((col) => weightedMedian(a, col, all, minority, 0n, stakeSum));
}

/** Clip each entry at its column's consensus; an entry above a zero consensus is dropped (`col_clip_sparse`). */
export function clipSparse(weights: readonly Row[], consensus: readonly Fixed[]): Row[] {
  return weights.map((row) => {
    const out = emptyRow();
    for (let e = 0; e < row.idx.length; e++) {
      const j = row.idx[e];
      const w = row.val[e];
      const c = consensus[j];
      if (c < w) {
        if (c > 0n) {
          out.idx.push(j);
          out.val.push(c);
        }
      } else {
        out.idx.push(j);
        out.val.push(w);
      }
    }
    return out;
  });
}

/** Divide each entry by its column sum where that sum is non-zero (`inplace_col_normalize_sparse`). */
function colNormalize(rows: readonly Row[], n: number): Row[] {
  const colSum = new Array<Fixed>(n).fill(0n);
  for (const row of rows) for (let e = 0; e < row.idx.length; e++) colSum[row.idx[e]] += row.val[e];
  return rows.map((row) => ({
    idx: row.idx,
    val: row.val.map((v, e) => {
      const s = colSum[row.idx[e]];
      return s !== 0n ? div(v, s) : v;
    }),
  }));
}

/** Divide each entry by its column max where that max is non-zero (`inplace_col_max_upscale_sparse`). */
function colMaxUpscale(rows: readonly Row[], n: number): Row[] {
  const colMax = new Array<Fixed>(n).fill(0n);
  for (const row of rows) for (let e = 0; e < row.idx.length; e++) if (colMax[row.idx[e]] < row.val[e]) colMax[row.idx[e]] = row.val[e];
  return rows.map((row) => ({
    idx: row.idx,
    val: row.val.map((v, e) => {
      const m = colMax[row.idx[e]];
      return m !== 0n ? div(v, m) : v;
    }),
  }));
}

/** Weights for bonds: W + β(W̄ − W), shortcut at β = 0 and 1 (`interpolate_sparse`). */
function interpolateSparse(w: readonly Row[], clipped: readonly Row[], n: number, ratio: Fixed): Row[] {
  if (ratio === 0n) return w.slice();
  if (ratio === ONE) return clipped.slice();
  const d1 = new Array<Fixed>(n);
  const d2 = new Array<Fixed>(n);
  return w.map((row, i) => {
    d1.fill(0n);
    d2.fill(0n);
    for (let e = 0; e < row.idx.length; e++) d1[row.idx[e]] = row.val[e];
    const c = clipped[i];
    for (let e = 0; e < c.idx.length; e++) d2[c.idx[e]] = c.val[e];
    const out = emptyRow();
    // Only columns present in W can be non-zero (W̄ ⊆ W entry-wise), so scanning W's entries is
    // the chain's dense scan over j = 0..n−1 restricted to where it can keep anything.
    for (let e = 0; e < row.idx.length; e++) {
      const j = row.idx[e];
      const x = add(d1[j], mul(ratio, sub(d2[j], d1[j])));
      if (x > 0n) {
        out.idx.push(j);
        out.val.push(x);
      }
    }
    return out;
  });
}

/**
 * EMA with one fixed rate over the union of entries, keeping positive results (`mat_ema_sparse`):
 * α·new + (1−α)·old.
 */
export function emaSparse(next: readonly Row[], old: readonly Row[], alpha: Fixed, n: number): Row[] {
  const oneMinus = ONE - alpha;
  const acc = new Array<Fixed>(n).fill(0n);
  const touched = new Uint8Array(n);
  return next.map((row, i) => {
    const cols: number[] = [];
    const mark = (j: number) => {
      if (!touched[j]) {
        touched[j] = 1;
        cols.push(j);
      }
    };
    for (let e = 0; e < row.idx.length; e++) {
      const j = row.idx[e];
      mark(j);
      acc[j] = add(acc[j], mul(alpha, row.val[e]));
    }
    const o = old[i];
    for (let e = 0; e < o.idx.length; e++) {
      const j = o.idx[e];
      mark(j);
      acc[j] = add(acc[j], mul(oneMinus, o.val[e]));
    }
    cols.sort((a, b) => a - b);
    const out = emptyRow();
    for (const j of cols) {
      if (acc[j] > 0n) {
        out.idx.push(j);
        out.val.push(acc[j]);
      }
      acc[j] = 0n;
      touched[j] = 0;
    }
    return out;
  });
}

/** Liquid-alpha inputs, already converted to I32F32. */
export interface LiquidAlphaParameters {
  alphaLow: Fixed;
  alphaHigh: Fixed;
  /** The stored i16 steepness as an I32F32. */
  steepness: Fixed;
}

/**
 * Per-entry liquid alpha (`alpha_sigmoid`): buying (w ≥ b) is judged by how far w exceeds
 * consensus, selling by how far the bond exceeds the weight; a sigmoid of that distance picks α
 * between low and high.
 */
export function liquidAlpha(consensus: Fixed, weight: Fixed, bond: Fixed, p: LiquidAlphaParameters): Fixed {
  const d = weight >= bond ? clamp(sub(weight, consensus), 0n, ONE) : clamp(sub(bond, weight), 0n, ONE);
  const x = mul(div(p.steepness, fromInt(-100)), sub(d, HALF));
  const sigmoid = div(ONE, add(ONE, exp(x)));
  const alpha = add(p.alphaLow, mul(sigmoid, sub(p.alphaHigh, p.alphaLow)));
  return clamp(alpha, p.alphaLow, p.alphaHigh);
}

/**
 * Yuma3 EMA with liquid alpha (`mat_ema_alpha_sparse`): only the entries of the new row survive,
 * each min(1, (1−α)·b₀ + max(0, α·w)). The chain computes α for every column; those outside the
 * new row are never read, so we compute only the ones that are.
 */
export function emaLiquidAlpha(
  next: readonly Row[],
  old: readonly Row[],
  consensus: readonly Fixed[],
  p: LiquidAlphaParameters,
  n: number,
): Row[] {
  const oldDense = new Array<Fixed>(n).fill(0n);
  // Memo per epoch: many entries share (w, b₀, C_j) inputs of the sigmoid, e.g. w = C_j.
  const memo = new Map<bigint, Fixed>();
  const steep = div(p.steepness, fromInt(-100));
  const alphaOf = (c: Fixed, w: Fixed, b: Fixed): Fixed => {
    const d = w >= b ? clamp(sub(w, c), 0n, ONE) : clamp(sub(b, w), 0n, ONE);
    let a = memo.get(d);
    if (a === undefined) {
      const sigmoid = div(ONE, add(ONE, exp(mul(steep, sub(d, HALF)))));
      a = clamp(add(p.alphaLow, mul(sigmoid, sub(p.alphaHigh, p.alphaLow))), p.alphaLow, p.alphaHigh);
      memo.set(d, a);
    }
    return a;
  };
  return next.map((row, i) => {
    const o = old[i];
    for (let e = 0; e < o.idx.length; e++) oldDense[o.idx[e]] = o.val[e];
    const out = emptyRow();
    for (let e = 0; e < row.idx.length; e++) {
      const j = row.idx[e];
      const w = row.val[e];
      const b = oldDense[j];
      const a = alphaOf(consensus[j], w, b);
      const decayed = mul(sub(ONE, a), b);
      const inc = mul(a, w);
      let v = add(decayed, inc > 0n ? inc : 0n);
      if (v > ONE) v = ONE;
      if (v > 0n) {
        out.idx.push(j);
        out.val.push(v);
      }
    }
    for (let e = 0; e < o.idx.length; e++) oldDense[o.idx[e]] = 0n;
    return out;
  });
}

function denseU16ToRow(row: SparseU16Row, convert: (v: number) => Fixed, keep: (j: number) => boolean): Row {
  const out = emptyRow();
  for (let e = 0; e < row.uids.length; e++) {
    const j = row.uids[e];
    if (keep(j)) {
      out.idx.push(j);
      out.val.push(convert(row.values[e]));
    }
  }
  return out;
}

function rowSum(row: Row): Fixed {
  let s = 0n;
  for (const v of row.val) s += v;
  return s;
}

/**
 * Run one epoch at `block` with emission E. Does not mutate `state`.
 *
 * @example
 * const r = runEpoch(state, { hyperparameters, block: 100, emission: 1_000_000_000n });
 * r.emission; // bigint per uid, Σ ≤ E
 */
export function runEpoch(state: SubnetState, params: RunEpochParameters): EpochResult {
  const hp = params.hyperparameters;
  const b = params.block;
  const n = state.stake.length;

  // 1. Activity.
  const active = state.lastUpdate.map((u) => !(u + hp.activityCutoff < b));

  // 2. Stake, below-threshold stakes zeroed before normalising.
  const stake = stakeWeights(state.stake.map((s) => (s >= hp.stakeThreshold ? s : 0n)));

  // 3. Permits: the stored ones gate this epoch; the new ones are written for the next.
  const permit = state.validatorPermit;
  const newPermit = topKPermits(stake, hp.maxAllowedValidators);

  // 4. Active stake.
  const activeStake = normalize(stake.map((s, i) => (active[i] && permit[i] ? s : 0n)));

  // 5. Weights: permitted rows, no self-weight, no weight on a uid registered since the row was set.
  const weights: Row[] = state.weights.map((row, i) => {
    if (!permit[i]) return emptyRow();
    const r = emptyRow();
    const raw: number[] = [];
    let s = 0;
    for (let e = 0; e < row.uids.length; e++) {
      const j = row.uids[e];
      if (j === i || j >= n || state.lastUpdate[i] <= state.registeredAt[j]) continue;
      r.idx.push(j);
      raw.push(row.values[e]);
      s += row.values[e];
    }
    // Values are u16 integers, so (v·2^32)/(Σ·2^32) = v/Σ; exact integer math avoids BigInt here.
    r.val = raw.map((v) => (s > 0 ? ratioOfInts(v, s) : fromU16(v)));
    return r;
  });

  // 6. Prerank.
  const preranks = new Array<Fixed>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    const row = weights[i];
    for (let e = 0; e < row.idx.length; e++) preranks[row.idx[e]] += mul(activeStake[i], row.val[e]);
  }

  // 7–8. Consensus and clipping.
  const kappa = div(fromInt(hp.kappa), U16_MAX_FIXED);
  const consensus = consensusSparse(activeStake, weights, n, kappa);
  const clipped = clipSparse(weights, consensus);

  // 9. Validator trust, rank, trust, incentive.
  const validatorTrust = clipped.map(rowSum);
  const ranks = new Array<Fixed>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    const row = clipped[i];
    for (let e = 0; e < row.idx.length; e++) ranks[row.idx[e]] += mul(activeStake[i], row.val[e]);
  }
  const trust = ranks.map((r, j) => div(r, preranks[j]));
  const incentive = normalize(ranks);

  // 10. Weights for bonds.
  const bondsPenalty = div(fromInt(hp.bondsPenalty), U16_MAX_FIXED);
  const weightsForBonds = interpolateSparse(weights, clipped, n, bondsPenalty);

  // 11. Bonds and dividends. Bonds on a uid registered since the last tempo are forgotten.
  const lastTempo = Math.max(0, b - hp.tempo);
  const keepBond = (j: number) => j < n && !(lastTempo <= state.registeredAt[j]);
  let dividends: Fixed[];
  let storedBonds: Row[];
  if (hp.yuma3) {
    const bonds = state.bonds.map((row) => denseU16ToRow(row, fromU16Proportion, keepBond));
    let ema: Row[];
    if (hp.liquidAlpha && consensus.some((c) => c !== 0n)) {
      const p: LiquidAlphaParameters = {
        alphaLow: fromU16Proportion(hp.alphaLow),
        alphaHigh: fromU16Proportion(hp.alphaHigh),
        steepness: fromInt(hp.alphaSigmoidSteepness),
      };
      ema = emaLiquidAlpha(weightsForBonds, bonds, consensus, p, n);
    } else {
      ema = emaSparse(weightsForBonds, bonds, emaRate(hp.bondsMovingAverage), n);
    }
    const emaNorm = colNormalize(ema, n);
    const raw = emaNorm.map((row, i) => {
      let s = 0n;
      for (let e = 0; e < row.idx.length; e++) s += mul(row.val[e], incentive[row.idx[e]]);
      return mul(s, activeStake[i]);
    });
    dividends = normalize(raw);
    storedBonds = ema;
  } else {
    const bonds = colNormalize(
      state.bonds.map((row) => denseU16ToRow(row, fromU16, keepBond)),
      n,
    );
    const delta = colNormalize(
      weightsForBonds.map((row, i) => ({ idx: row.idx, val: row.val.map((v) => mul(v, activeStake[i])) })),
      n,
    );
    const ema = colNormalize(emaSparse(delta, bonds, emaRate(hp.bondsMovingAverage), n), n);
    const raw = ema.map((row) => {
      let s = 0n;
      for (let e = 0; e < row.idx.length; e++) s += mul(incentive[row.idx[e]], row.val[e]);
      return s;
    });
    dividends = normalize(raw);
    storedBonds = colMaxUpscale(ema, n);
  }

  // 12. Emission: normalised I + D, falling back to active stake, or stake when nobody is active.
  const combined = incentive.map((x, i) => add(x, dividends[i]));
  let total = 0n;
  for (const x of combined) total += x;
  let shares: Fixed[];
  if (total !== 0n) shares = normalize(combined);
  else if (activeStake.every((x) => x === 0n)) shares = stake;
  else shares = activeStake;
  const emission = shares.map((e) => (e * params.emission) >> 32n);

  // 13. Write back: bonds only for new permit holders.
  const bondsOut: SparseU16Row[] = storedBonds.map((row, i) =>
    newPermit[i] ? { uids: row.idx.slice(), values: row.val.map(toU16) } : { uids: [], values: [] },
  );

  return {
    active,
    newPermit,
    stakeWeight: stake.map(toU16),
    consensus: consensus.map(toU16),
    incentive: incentive.map(toU16),
    dividends: dividends.map(toU16),
    validatorTrust: validatorTrust.map(toU16),
    rank: incentive.map(toU16),
    trust: trust.map(toU16),
    emission,
    bonds: bondsOut,
    pruningScores: maxUpscaleToU16(shares),
    state: {
      stake: state.stake.slice(),
      lastUpdate: state.lastUpdate.slice(),
      registeredAt: state.registeredAt.slice(),
      weights: state.weights.map((r) => ({ uids: r.uids.slice(), values: r.values.slice() })),
      bonds: bondsOut,
      validatorPermit: newPermit.slice(),
    },
  };
}
