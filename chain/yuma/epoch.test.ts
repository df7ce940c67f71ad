import {
  clipSparse,
  consensusSparse,
  emaLiquidAlpha,
  emaSparse,
  type LiquidAlphaParameters,
  liquidAlpha,
  runEpoch,
  type SubnetState,
  topKPermits,
  weightedMedian,
  type YumaHyperparameters,
} from './epoch';
import { div, emaRate, fromInt, fromNumber, fromU16Proportion, normalize, ONE, stakeWeights, toNumber } from './fixed';
import { splitEmission } from './split';

const KAPPA = div(fromInt(32767), fromInt(65535));
const f = fromNumber;
const row = (entries: [number, number][]) => ({ idx: entries.map((e) => e[0]), val: entries.map((e) => f(e[1])) });

describe('weightedMedian', () => {
  const median = (stake: number[], score: number[], kappa = KAPPA) => {
    const a = normalize(stake.map(f));
    const sum = a.reduce((x, y) => x + y, 0n);
    return toNumber(
      weightedMedian(
        a,
        score.map(f),
        a.map((_, i) => i),
        sum - kappa,
        0n,
        sum,
      ),
    );
  };

  it('handles empty and single partitions', () => {
    expect(weightedMedian([], [], [], 0n, 0n, 0n)).toBe(0n);
    expect(median([1], [0.3])).toBeCloseTo(0.3, 9);
  });

  it('follows the stake majority (κ ≈ 1/2)', () => {
    expect(median([0.6, 0.4], [1, 0])).toBeCloseTo(1, 9);
    expect(median([0.4, 0.6], [1, 0])).toBe(0);
    expect(median([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.3, 9); // κ is a hair under 1/2;
  });

  it('moves to the minimum as κ → 1 and to the maximum as κ → 0', () => {
    expect(median([1, 1, 1], [0.2, 0.5, 0.9], ONE)).toBeCloseTo(0.2, 9);
    expect(median([1, 1, 1], [0.2, 0.5, 0.9], 0n)).toBeCloseTo(0.9, 9);
  });

  it('returns the common value when all scores are equal, and drops pivot-equal entries', () => {
    expect(median([1, 2, 3], [0.5, 0.5, 0.5])).toBeCloseTo(0.5, 9);
    expect(median([0.1, 0.45, 0.45], [0.7, 0.3, 0.3])).toBeCloseTo(0.3, 9);
  });

  it('gives 0 for every column without voters', () => {
    expect(consensusSparse([0n, 0n], [row([[1, 1]]), row([])], 2, KAPPA)).toEqual([0n, 0n]);
  });

  it('counts a voter without an entry as a score of 0', () => {
    // uid 1 holds 60% of the active stake and set nothing on column 2.
    const c = consensusSparse([f(0.4), f(0.6), 0n], [row([[2, 1]]), row([]), row([])], 3, KAPPA);
    expect(c[2]).toBe(0n);
  });
});

describe('clipSparse', () => {
  it('clips to consensus, drops entries above a zero consensus, keeps the rest as they are', () => {
    const clipped = clipSparse(
      [
        row([
          [0, 0.5],
          [1, 0.2],
          [2, 0.3],
          [3, 0],
        ]),
      ],
      [f(0.25), f(0.2), 0n, 0n],
    );
    expect(clipped[0].idx).toEqual([0, 1, 3]);
    expect(clipped[0].val).toEqual([f(0.25), f(0.2), 0n]);
  });
});

describe('classic EMA', () => {
  it('mixes α·new + (1−α)·old over the union of entries, dropping zeros', () => {
    const alpha = emaRate(900_000);
    const out = emaSparse(
      [
        row([
          [1, 1],
          [3, 0],
        ]),
      ],
      [
        row([
          [1, 1],
          [2, 1],
        ]),
      ],
      alpha,
      4,
    );
    expect(out[0].idx).toEqual([1, 2]);
    expect(out[0].val).toEqual([alpha + (ONE - alpha), ONE - alpha]);
    expect(toNumber(alpha)).toBeCloseTo(0.1, 9);
  });
});

describe('liquid alpha (Yuma3)', () => {
  const p: LiquidAlphaParameters = {
    alphaLow: fromU16Proportion(45875),
    alphaHigh: fromU16Proportion(58982),
    steepness: fromInt(1000),
  };
  const lo = 45875 / 65535;
  const hi = 58982 / 65535;
  const sigmoid = (d: number) => 1 / (1 + Math.exp(-10 * (d - 0.5)));

  it('buys slowly at consensus and fast far above it', () => {
    expect(toNumber(liquidAlpha(f(0.5), f(0.5), 0n, p))).toBeCloseTo(lo + sigmoid(0) * (hi - lo), 7);
    expect(toNumber(liquidAlpha(0n, ONE, 0n, p))).toBeCloseTo(lo + sigmoid(1) * (hi - lo), 7);
  });

  it('sells by how far the bond exceeds the weight', () => {
    expect(toNumber(liquidAlpha(f(0.5), f(0.1), f(0.8), p))).toBeCloseTo(lo + sigmoid(0.7) * (hi - lo), 7);
  });

  it('stays within [low, high]', () => {
    for (const d of [0, 0.25, 0.5, 0.75, 1]) {
      const a = liquidAlpha(0n, f(d), 0n, p);
      expect(a >= p.alphaLow && a <= p.alphaHigh).toBe(true);
    }
  });

  it('keeps only the new row’s entries, clamped to 1', () => {
    const out = emaLiquidAlpha(
      [row([[1, 1]])],
      [
        row([
          [1, 1],
          [2, 0.5],
        ]),
      ],
      [0n, f(0.5), f(0.5)],
      p,
      3,
    );
    expect(out[0].idx).toEqual([1]);
    expect(out[0].val).toEqual([ONE]);
  });
});

describe('topKPermits', () => {
  it('breaks ties against the lower uid, as a stable ascending sort does', () => {
    expect(topKPermits([f(0.25), f(0.25), f(0.25), f(0.25)], 2)).toEqual([false, false, true, true]);
    expect(topKPermits([f(0.5), f(0.2), f(0.3)], 2)).toEqual([true, false, true]);
  });

  it('never permits zero stake, and cuts nobody when n < k', () => {
    expect(topKPermits([f(0.5), 0n, f(0.5)], 5)).toEqual([true, false, true]);
    expect(topKPermits([0n, 0n, f(1)], 2)).toEqual([false, false, true]);
  });
});

describe('runEpoch', () => {
  const hp: YumaHyperparameters = {
    kappa: 32767,
    bondsMovingAverage: 900_000,
    bondsPenalty: 65535,
    yuma3: false,
    liquidAlpha: false,
    alphaLow: 45875,
    alphaHigh: 58982,
    alphaSigmoidSteepness: 1000,
    maxAllowedValidators: 64,
    activityCutoff: 5000,
    tempo: 1,
    stakeThreshold: 0n,
  };
  const state: SubnetState = {
    stake: [3n, 1n, 0n, 0n],
    lastUpdate: [2, 2, 1, 1],
    registeredAt: [1, 1, 1, 1],
    weights: [
      { uids: [2, 3], values: [21845, 65535] },
      { uids: [2, 3], values: [65535, 21845] },
      { uids: [], values: [] },
      { uids: [], values: [] },
    ],
    bonds: [0, 1, 2, 3].map(() => ({ uids: [], values: [] })),
    validatorPermit: [true, true, false, false],
  };

  it('reproduces the hand computation of clip_two_validators, epoch 1', () => {
    const r = runEpoch(state, { hyperparameters: hp, block: 2, emission: 1_000_000_000n });
    expect(r.consensus).toEqual([0, 0, 16383, 49151]);
    expect(r.validatorTrust).toEqual([65535, 32767, 0, 0]);
    expect(r.emission).toEqual([428571429n, 71428570n, 142857142n, 357142857n]);
    expect(r.bonds[1]).toEqual({ uids: [2, 3], values: [21844, 7281] });
    // e = [3/7, 1/14, 1/7, 5/14] max-upscaled; the truncated shares land just under the .5 ties.
    expect(r.pruningScores).toEqual([65535, 10922, 21845, 54612]);
  });

  it('does not mutate its input and returns the state to store', () => {
    const before = JSON.stringify(state, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const r = runEpoch(state, { hyperparameters: hp, block: 2, emission: 1000n });
    expect(JSON.stringify(state, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
    expect(r.state.validatorPermit).toEqual(r.newPermit);
    expect(r.state.bonds).toBe(r.bonds);
    expect(r.state.weights).toEqual(state.weights);
  });

  it('applies the bonds penalty by interpolating W and W̄', () => {
    const full = runEpoch(state, { hyperparameters: hp, block: 2, emission: 1000n });
    const none = runEpoch(state, { hyperparameters: { ...hp, bondsPenalty: 0 }, block: 2, emission: 1000n });
    const half = runEpoch(state, { hyperparameters: { ...hp, bondsPenalty: 32768 }, block: 2, emission: 1000n });
    // uid1's over-consensus weight on uid2 earns it more bond share the lower the penalty.
    expect(none.dividends[1]).toBeGreaterThan(half.dividends[1]);
    expect(half.dividends[1]).toBeGreaterThan(full.dividends[1]);
  });
});

describe('splitEmission', () => {
  it('splits 18/41/41 and conserves every rao', () => {
    expect(splitEmission(1000n, [65535, 0], [0, 65535])).toEqual({ owner: 180n, miners: [410n, 0n], validators: [0n, 410n] });
    const s = splitEmission(1_000_000_007n, [1, 1, 1], [2, 0, 5]);
    const total = s.owner + s.miners.reduce((a, b) => a + b) + s.validators.reduce((a, b) => a + b);
    expect(total).toBe(1_000_000_007n);
    expect(s.owner - (1_000_000_007n * 18n) / 100n).toBeLessThanOrEqual(8n);
  });

  it('returns an unclaimable pool to the owner', () => {
    expect(splitEmission(100n, [0, 0], [1, 0])).toEqual({ owner: 59n, miners: [0n, 0n], validators: [41n, 0n] });
  });
});

it('stakeWeights feeds permits with the I64F64 result', () => {
  expect(topKPermits(stakeWeights([4n, 5n, 2n, 3n]), 2)).toEqual([true, true, false, false]);
});
