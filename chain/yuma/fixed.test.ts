import {
  div,
  emaRate,
  exp,
  fromInt,
  fromNumber,
  fromU16Proportion,
  maxUpscaleToU16,
  mul,
  normalize,
  ONE,
  ratioOfInts,
  round,
  stakeWeights,
  toNumber,
  toU16,
  u16MaxUpscale,
} from './fixed';

describe('I32F32 arithmetic', () => {
  it('mul floors toward −∞, also for negative products', () => {
    expect(mul(1n, 1n)).toBe(0n);
    expect(mul(-1n, 1n)).toBe(-1n);
    expect(mul(-3n, ONE / 2n)).toBe(-2n); // −1.5 bits → −2
    expect(mul(3n, ONE / 2n)).toBe(1n); // 1.5 bits → 1
    expect(mul(fromInt(-3), fromInt(2))).toBe(fromInt(-6));
  });

  it('div truncates toward zero and /0 gives 0', () => {
    expect(div(-3n, fromInt(2))).toBe(-1n); // −1.5 bits → −1
    expect(div(3n, fromInt(2))).toBe(1n);
    expect(div(fromInt(1), fromInt(3))).toBe(1431655765n);
    expect(div(fromInt(-1), fromInt(3))).toBe(-1431655765n);
    expect(div(fromInt(7), 0n)).toBe(0n);
  });

  it('computes small integer ratios exactly without BigInt', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let t = 0; t < 2000; t++) {
      const total = 1 + (next() % 2 ** 31) * 2 ** (next() % 2);
      const u = next() % 65536;
      expect(ratioOfInts(u, total)).toBe(div(fromInt(u), fromInt(total)));
    }
    expect(ratioOfInts(5, 0)).toBe(0n);
    expect(ratioOfInts(65535, 65535)).toBe(ONE);
  });

  it('saturates at the i64 range', () => {
    expect(mul(fromInt(2 ** 30), fromInt(2 ** 30))).toBe((1n << 63n) - 1n);
    expect(div(fromInt(-(2 ** 30)), 1n)).toBe(-(1n << 63n));
  });

  it('converts to u16 as floor(x·65535), clamped', () => {
    expect(toU16(ONE)).toBe(65535);
    expect(toU16(ONE / 2n)).toBe(32767);
    expect(toU16(ONE / 4n)).toBe(16383);
    expect(toU16(-5n)).toBe(0);
    expect(toU16(fromInt(2))).toBe(65535);
  });

  it('reads stored u16 proportions as u16/65535 truncated', () => {
    expect(fromU16Proportion(65535)).toBe(ONE);
    expect(fromU16Proportion(0)).toBe(0n);
    expect(fromU16Proportion(32767)).toBe((32767n << 64n) / (65535n << 32n));
    // Round trip loses at most one step: floor(floor(v/65535 · 2^32)·65535 / 2^32) ∈ {v − 1, v}.
    for (const v of [1, 2, 21844, 32767, 54712, 65534]) expect(v - toU16(fromU16Proportion(v))).toBeLessThanOrEqual(1);
  });

  it('rounds half away from zero', () => {
    expect(round(fromNumber(2.5))).toBe(fromInt(3));
    expect(round(fromNumber(-2.5))).toBe(fromInt(-3));
    expect(round(fromNumber(2.4999))).toBe(fromInt(2));
  });

  it('normalises, leaving an all-zero vector alone', () => {
    expect(normalize([0n, 0n])).toEqual([0n, 0n]);
    expect(normalize([fromInt(1), fromInt(3)])).toEqual([ONE / 4n, (3n * ONE) / 4n]);
  });
});

describe('stake and rates', () => {
  it('normalises stake as floor(s·2^32/Σs)', () => {
    expect(stakeWeights([3n, 1n])).toEqual([(3n << 32n) / 4n, 1n << 30n]);
    expect(stakeWeights([1n, 1n, 1n])).toEqual([1431655765n, 1431655765n, 1431655765n]);
    expect(stakeWeights([0n, 0n])).toEqual([0n, 0n]);
    // Rao-sized stakes keep full precision.
    const big = stakeWeights([21_000_000_000_000_000n, 1n]);
    expect(big[1]).toBe(0n);
    expect(big[0]).toBe((21_000_000_000_000_000n << 32n) / 21_000_000_000_000_001n);
  });

  it('derives the fixed EMA rate from bondsMovingAverage', () => {
    expect(emaRate(900_000)).toBe(ONE - 3865470566n);
    expect(emaRate(1_000_000)).toBe(0n);
    expect(emaRate(0)).toBe(ONE);
  });
});

describe('exp (substrate_fixed)', () => {
  it('has the special cases of the crate', () => {
    expect(exp(0n)).toBe(ONE);
    expect(exp(ONE)).toBe(BigInt(Math.floor(Math.E * 2 ** 23)) << 9n);
  });

  it('agrees with Math.exp on the liquid-alpha range', () => {
    for (let x = -5; x <= 5; x += 0.137) {
      const input = fromNumber(x);
      if (input === ONE) continue; // the crate's 23-bit constant e, checked above
      const got = toNumber(exp(input));
      // Each of the ~30 terms floors twice, so a few ulps (2^-32 ≈ 2.3e-10) of drift are expected.
      expect(Math.abs(got - Math.exp(toNumber(input)))).toBeLessThan(2e-9 * Math.max(1, Math.exp(x)));
    }
  });

  it('returns 0 when a term overflows i64', () => {
    expect(exp(fromInt(100))).toBe(0n);
  });
});

describe('max-upscale (set_weights)', () => {
  it('scales the max to 65535 and rounds half away from zero', () => {
    expect(u16MaxUpscale([1, 3])).toEqual([21845, 65535]);
    expect(u16MaxUpscale([1, 2])).toEqual([32768, 65535]); // 32767.5 → 32768
    expect(u16MaxUpscale([32767, 32767])).toEqual([65535, 65535]);
    expect(u16MaxUpscale([0, 0])).toEqual([0, 0]);
    expect(u16MaxUpscale([])).toEqual([]);
  });

  it('equals exact rounding of v·65535/m on ordinary inputs, in both of the chain’s branches', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let t = 0; t < 200; t++) {
      const values = Array.from({ length: 8 }, () => next() % 65536);
      const m = Math.max(...values);
      if (m === 0) continue;
      const exact = values.map((v) => Math.round((v * 65535) / m));
      const got = u16MaxUpscale(values);
      // The I32F32 path may differ from exact rounding only on a near-tie; never by more than 1.
      got.forEach((g, i) => {
        expect(Math.abs(g - exact[i])).toBeLessThanOrEqual(1);
      });
    }
  });

  it('max-upscales I32F32 scores (pruning scores)', () => {
    expect(maxUpscaleToU16([ONE / 4n, ONE / 2n])).toEqual([32768, 65535]);
    expect(maxUpscaleToU16([0n, 0n])).toEqual([0, 0]);
  });
});
