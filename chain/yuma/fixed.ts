/**
 * Fixed-point arithmetic of subtensor's epoch, on BigInt bits (FORMAT.md §4).
 *
 * An I32F32 value is `bits / 2^32` with `bits` a signed 64-bit integer; we keep the bits in a
 * plain `bigint` so that every truncation happens exactly where the chain's does. Results are
 * saturated to the i64 range like the chain's `saturating_*` ops, which never triggers for
 * proportions but keeps pathological inputs deterministic.
 */

/** I32F32 bits. */
export type Fixed = bigint;

export const FRAC_BITS = 32n;
export const ZERO: Fixed = 0n;
export const ONE: Fixed = 1n << FRAC_BITS;
export const HALF: Fixed = 1n << (FRAC_BITS - 1n);
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
/** 65535 as an I32F32. */
export const U16_MAX_FIXED: Fixed = 65535n << FRAC_BITS;

function saturate(x: bigint): bigint {
  return x > I64_MAX ? I64_MAX : x < I64_MIN ? I64_MIN : x;
}

/** Integer → I32F32 (saturating). */
export function fromInt(v: number | bigint): Fixed {
  return saturate(BigInt(v) << FRAC_BITS);
}

/** a + b, saturating. */
export function add(a: Fixed, b: Fixed): Fixed {
  return saturate(a + b);
}

/** a − b, saturating. */
export function sub(a: Fixed, b: Fixed): Fixed {
  return saturate(a - b);
}

/** a·b, floored toward −∞ (an arithmetic shift), saturating. */
export function mul(a: Fixed, b: Fixed): Fixed {
  return saturate((a * b) >> FRAC_BITS);
}

/** a/b truncated toward zero; division by zero gives 0 (the chain's `safe_div`). */
export function div(a: Fixed, b: Fixed): Fixed {
  if (b === 0n) return 0n;
  return saturate((a << FRAC_BITS) / b);
}

export function min(a: Fixed, b: Fixed): Fixed {
  return a < b ? a : b;
}

export function max(a: Fixed, b: Fixed): Fixed {
  return a > b ? a : b;
}

/** clamp(value, low, high) in the chain's order: min with high first, then max with low. */
export function clamp(value: Fixed, low: Fixed, high: Fixed): Fixed {
  return max(min(value, high), low);
}

// Stored u16 values are converted on every epoch; caching their BigInt forms saves allocations.
const u16FixedCache: Fixed[] = [];
const u16ProportionCache: Fixed[] = [];

/** u16 integer → I32F32, cached. */
export function fromU16(v: number): Fixed {
  let x = u16FixedCache[v];
  if (x === undefined) u16FixedCache[v] = x = BigInt(v) << FRAC_BITS;
  return x;
}

/** u16 stored value → I32F32 proportion (u16/65535, truncated). */
export function fromU16Proportion(v: number): Fixed {
  let x = u16ProportionCache[v];
  if (x === undefined) u16ProportionCache[v] = x = div(BigInt(v) << FRAC_BITS, U16_MAX_FIXED);
  return x;
}

/**
 * u/Σ for integers 0 ≤ u < 2^16 and 0 < Σ < 2^32 (a stored u16 weight over its row sum), i.e. the
 * I32F32 quotient trunc(u·2^32/Σ). u·2^32 < 2^48 and q·Σ ≤ u·2^32 + Σ are exact in float64, so one
 * correction step makes the rounded float quotient exact.
 */
export function ratioOfInts(u: number, total: number): Fixed {
  if (total === 0) return 0n;
  const num = u * 4294967296;
  let q = Math.floor(num / total);
  const r = num - q * total;
  if (r < 0) q -= 1;
  else if (r >= total) q += 1;
  return BigInt(q);
}

const TWO_POW_37 = 1n << 37n;

/** I32F32 proportion → stored u16: clamp(floor(x·65535), 0, 65535) (`fixed_proportion_to_u16`). */
export function toU16(x: Fixed): number {
  if (x <= 0n) return 0;
  // x < 2^37 makes x·65535 < 2^53, exact in float64, and avoids two BigInt allocations.
  const v = x < TWO_POW_37 ? Math.floor((Number(x) * 65535) / 4294967296) : Number((x * 65535n) >> FRAC_BITS);
  return v >= 65535 ? 65535 : v;
}

/** Round half away from zero to an integer-valued I32F32 (the `fixed` crate's `round`). */
export function round(x: Fixed): Fixed {
  if (x >= 0n) return ((x + HALF) >> FRAC_BITS) << FRAC_BITS;
  return -(((-x + HALF) >> FRAC_BITS) << FRAC_BITS);
}

/** For debugging and float comparisons only. */
export function toNumber(x: Fixed): number {
  return Number(x) / 2 ** 32;
}

/** Float → I32F32 (truncated); for tests and constants, never in the epoch itself. */
export function fromNumber(x: number): Fixed {
  return BigInt(Math.trunc(x * 2 ** 32));
}

/** Σx with the chain's saturating adds (exact for any realistic input, so order-independent). */
export function sum(xs: readonly Fixed[]): Fixed {
  let s = 0n;
  for (const x of xs) s += x;
  return saturate(s);
}

/** x/Σx; x unchanged when Σx = 0 (`inplace_normalize`, returning a copy). */
export function normalize(xs: readonly Fixed[]): Fixed[] {
  const s = sum(xs);
  if (s === 0n) return xs.slice();
  return xs.map((x) => div(x, s));
}

/**
 * Stake weights: s_i/Σs computed in I64F64 and truncated to I32F32, i.e. bits = floor(s_i·2^32/Σs).
 * Flooring twice (2^64, then 2^32 fractional bits) equals flooring once, so one division suffices.
 */
export function stakeWeights(stakes: readonly bigint[]): Fixed[] {
  let total = 0n;
  for (const s of stakes) total += s;
  if (total === 0n) return stakes.map(() => 0n);
  return stakes.map((s) => (s << FRAC_BITS) / total);
}

/** Fixed EMA rate α = 1 − bondsMovingAverage/10^6 (the ratio is I64F64, truncated to I32F32). */
export function emaRate(bondsMovingAverage: number): Fixed {
  return ONE - (BigInt(bondsMovingAverage) << FRAC_BITS) / 1_000_000n;
}

/** e as substrate_fixed's I9F23 constant, widened to I32F32. */
const E_FIXED: Fixed = BigInt(Math.floor(Math.E * 2 ** 23)) << 9n;

/**
 * exp(x) exactly as substrate_fixed's Taylor series over I32F32 with checked ops; any overflow
 * makes the chain's `safe_exp` return 0, and so do we. Once a term reaches 0 it stays 0 (0·y = 0,
 * 0/i = 0), so stopping there is exact and saves most iterations for small |x|.
 */
export function exp(x: Fixed): Fixed {
  if (x === 0n) return ONE;
  if (x === ONE) return E_FIXED;
  const neg = x < 0n;
  const y = neg ? -x : x;
  if (y > I64_MAX) return 0n;
  let result = y + ONE;
  if (result > I64_MAX) return 0n;
  let term = y;
  for (let i = 2n; i < FRAC_BITS; i++) {
    term = (term * y) >> FRAC_BITS;
    if (term > I64_MAX) return 0n;
    term = (term << FRAC_BITS) / (i << FRAC_BITS);
    if (term === 0n) break;
    result += term;
    if (result > I64_MAX) return 0n;
  }
  if (neg) result = (ONE << FRAC_BITS) / result;
  return result;
}

/**
 * `vec_max_upscale_to_u16`: scale so that the max becomes 65535, rounding half away from zero.
 * The chain takes two different I32F32 paths depending on the max (above 32768 it divides first
 * to avoid overflow); both are reproduced because they round differently.
 */
export function maxUpscaleToU16(vec: readonly Fixed[]): number[] {
  if (vec.length === 0) return [];
  let m = vec[0];
  for (const v of vec) if (v > m) m = v;
  const toU16Sat = (x: Fixed): number => {
    const v = x >> FRAC_BITS;
    return v <= 0n ? 0 : v >= 65535n ? 65535 : Number(v);
  };
  if (m === 0n) return vec.map((e) => toU16Sat(mul(e, U16_MAX_FIXED)));
  if (m > 32768n << FRAC_BITS) {
    const scale = div(U16_MAX_FIXED, m);
    return vec.map((e) => toU16Sat(round(mul(e, scale))));
  }
  return vec.map((e) => toU16Sat(round(div(mul(e, U16_MAX_FIXED), m))));
}

/** `vec_u16_max_upscale_to_u16`: what `set_weights` stores for the raw u16 values it is given. */
export function u16MaxUpscale(values: readonly number[]): number[] {
  return maxUpscaleToU16(values.map((v) => BigInt(v) << FRAC_BITS));
}
