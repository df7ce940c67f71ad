/**
 * Scores to a weight row, the way a validator of the compute subnet sets it on chain. Pure.
 *
 * A score is the model's probability that a provider's next job goes well. The row gives each miner
 * `round(65535 · (score / best)^sharpness)`: the best miner gets 65535 (the registry max-upscales
 * rows anyway, so only ratios matter), a miner at half the best score gets a quarter with the default
 * sharpness 2. Squaring widens the gaps between providers whose probabilities differ by a few points,
 * which is what Yuma's rank-based incentive sees. Miners whose value rounds to 0 are left out (the
 * chain stores no zero entries), uids come out strictly ascending as SubnetRegistry.setWeights wants.
 */

export interface MinerScore {
  uid: number;
  score: number;
}

export interface WeightRow {
  /** Strictly ascending uids. */
  uids: number[];
  /** u16 values, one per uid, the largest 65535. */
  values: number[];
}

export interface ScoresToWeightsOptions {
  /** Exponent applied to score / best score; default 2. 1: weights proportional to the scores. */
  sharpness?: number;
  /** Keep only the this many best miners (ties: lower uid first); default all. */
  topK?: number;
  /** Leave this uid out (a validator does not weight itself). */
  excludeUid?: number;
}

export class WeightsInputError extends Error {
  override name = 'WeightsInputError';
}

const U16_MAX = 65535;

export function scoresToWeights(scores: readonly MinerScore[], options: ScoresToWeightsOptions = {}): WeightRow {
  const sharpness = options.sharpness ?? 2;
  if (!(Number.isFinite(sharpness) && sharpness > 0)) throw new WeightsInputError(`sharpness must be a positive number, got ${sharpness}`);
  const seen = new Set<number>();
  for (const s of scores) {
    if (!Number.isInteger(s.uid) || s.uid < 0 || s.uid > U16_MAX) throw new WeightsInputError(`uid ${s.uid} is not a u16`);
    if (seen.has(s.uid)) throw new WeightsInputError(`uid ${s.uid} appears twice`);
    seen.add(s.uid);
    if (!Number.isFinite(s.score) || s.score < 0)
      throw new WeightsInputError(`score of uid ${s.uid} must be a finite number ≥ 0, got ${s.score}`);
  }
  let kept = scores.filter((s) => s.uid !== options.excludeUid);
  if (options.topK !== undefined) {
    if (!Number.isInteger(options.topK) || options.topK < 0)
      throw new WeightsInputError(`topK must be a non-negative integer, got ${options.topK}`);
    kept = [...kept].sort((a, b) => b.score - a.score || a.uid - b.uid).slice(0, options.topK);
  }
  const best = kept.reduce((m, s) => Math.max(m, s.score), 0);
  if (best === 0) return { uids: [], values: [] };
  const row = kept
    .map((s) => ({ uid: s.uid, value: Math.round(U16_MAX * (s.score / best) ** sharpness) }))
    .filter((e) => e.value > 0)
    .sort((a, b) => a.uid - b.uid);
  return { uids: row.map((e) => e.uid), values: row.map((e) => e.value) };
}
