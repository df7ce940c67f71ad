/**
 * The split of a subnet's emission between its owner, miners and validators (18/41/41, as on
 * Bittensor), in exact integer rao that conserves the total.
 */

/** Percentages of the split; they sum to 100. */
export const OWNER_PERCENT = 18n;
export const MINERS_PERCENT = 41n;
export const VALIDATORS_PERCENT = 41n;

export interface EmissionSplit {
  /** The owner's 18%, plus every rao of rounding dust and any pool nobody can claim. */
  owner: bigint;
  /** Per uid, pro rata to incentive. */
  miners: bigint[];
  /** Per uid, pro rata to dividends. */
  validators: bigint[];
}

/** floor(pool·w_i/Σw) per uid; returns the shares and what they leave over. */
function proRata(pool: bigint, weights: readonly (number | bigint)[]): { shares: bigint[]; rest: bigint } {
  const w = weights.map((x) => BigInt(x));
  let total = 0n;
  for (const x of w) {
    if (x < 0n) throw new RangeError('splitEmission: weights must be non-negative');
    total += x;
  }
  if (total === 0n) return { shares: w.map(() => 0n), rest: pool };
  let given = 0n;
  const shares = w.map((x) => {
    const s = (pool * x) / total;
    given += s;
    return s;
  });
  return { shares, rest: pool - given };
}

/**
 * Split `total` rao: miners' pool = floor(41%·total) by incentive, validators' pool = floor(41%·total)
 * by dividends, the owner gets the rest. Shares are floored, so the remainder of each pool (fewer
 * rao than there are uids) goes to the owner, as does a whole pool whose weights are all zero
 * (e.g. before any weights are set). owner + Σminers + Σvalidators = total, always.
 *
 * @example
 * splitEmission(1000n, [65535, 0], [0, 65535]); // { owner: 180n, miners: [410n, 0n], validators: [0n, 410n] }
 */
export function splitEmission(
  total: bigint,
  incentive: readonly (number | bigint)[],
  dividends: readonly (number | bigint)[],
): EmissionSplit {
  if (total < 0n) throw new RangeError('splitEmission: total must be non-negative');
  const minersPool = (total * MINERS_PERCENT) / 100n;
  const validatorsPool = (total * VALIDATORS_PERCENT) / 100n;
  const miners = proRata(minersPool, incentive);
  const validators = proRata(validatorsPool, dividends);
  const owner = total - minersPool - validatorsPool + miners.rest + validators.rest;
  return { owner, miners: miners.shares, validators: validators.shares };
}
