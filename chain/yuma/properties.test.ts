// Property tests on random subnets from a seeded PRNG (mulberry32), so failures reproduce.

import { type EpochResult, runEpoch, type SparseU16Row, type SubnetState, type YumaHyperparameters } from './epoch';
import { u16MaxUpscale } from './fixed';

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  state: SubnetState;
  hp: YumaHyperparameters;
  block: number;
  emission: bigint;
}

function randomCase(seed: number, distinctStakes: boolean): Case {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const n = int(2, 20);
  const used = new Set<bigint>();
  const stake = Array.from({ length: n }, () => {
    if (!distinctStakes && rand() < 0.2) return 0n;
    let s: bigint;
    do s = BigInt(int(1, 1_000_000)) * BigInt(int(1, 1_000_000));
    while (distinctStakes && used.has(s));
    used.add(s);
    return s;
  });
  const registeredAt = Array.from({ length: n }, () => int(0, 50));
  const lastUpdate = registeredAt.map((r) => r + int(0, 100));
  const validatorPermit = Array.from({ length: n }, () => rand() < 0.6);
  const sparse = (i: number, p: number): SparseU16Row => {
    if (!validatorPermit[i]) return { uids: [], values: [] };
    const uids = Array.from({ length: n }, (_, j) => j).filter(() => rand() < p);
    return { uids, values: u16MaxUpscale(uids.map(() => int(0, 65535))) };
  };
  const weights = stake.map((_, i) => sparse(i, 0.7));
  const bonds = stake.map((_, i) => sparse(i, 0.5));
  const yuma3 = rand() < 0.5;
  const alphaLow = int(1638, 65535);
  const hp: YumaHyperparameters = {
    kappa: rand() < 0.5 ? 32767 : int(0, 65535),
    bondsMovingAverage: int(0, 1_000_000),
    bondsPenalty: [0, 65535, int(0, 65535)][int(0, 2)],
    yuma3,
    liquidAlpha: yuma3 && rand() < 0.7,
    alphaLow,
    alphaHigh: int(alphaLow, 65535),
    alphaSigmoidSteepness: [1000, int(-2000, 2000)][int(0, 1)],
    maxAllowedValidators: int(1, n + 2),
    activityCutoff: int(10, 200),
    tempo: int(1, 100),
    stakeThreshold: rand() < 0.5 ? 0n : BigInt(int(0, 1_000_000_000)),
  };
  return {
    state: { stake, lastUpdate, registeredAt, weights, bonds, validatorPermit },
    hp,
    block: int(100, 250),
    emission: BigInt(int(1, 2 ** 40)),
  };
}

const U16_FIELDS = ['stakeWeight', 'consensus', 'incentive', 'dividends', 'validatorTrust', 'rank', 'trust', 'pruningScores'] as const;
const SEEDS = Array.from({ length: 300 }, (_, k) => k + 1);

describe('epoch properties on random subnets', () => {
  it.each(SEEDS)('seed %i: outputs in range, emission conserved up to rounding', (seed) => {
    const c = randomCase(seed, false);
    const n = c.state.stake.length;
    const r = runEpoch(c.state, { hyperparameters: c.hp, block: c.block, emission: c.emission });
    for (const f of U16_FIELDS) {
      expect(r[f]).toHaveLength(n);
      for (const v of r[f]) expect(Number.isInteger(v) && v >= 0 && v <= 65535).toBe(true);
    }
    r.bonds.forEach((row, i) => {
      if (!r.newPermit[i]) expect(row.uids).toEqual([]);
      for (const v of row.values) expect(Number.isInteger(v) && v >= 0 && v <= 65535).toBe(true);
    });
    let total = 0n;
    for (const e of r.emission) {
      expect(e >= 0n).toBe(true);
      total += e;
    }
    expect(total <= c.emission).toBe(true);
    // Shares are truncated (≤ n·2^-32 lost) and then floored per uid (< 1 rao each).
    const live = c.state.stake.some((s) => s > 0n && s >= c.hp.stakeThreshold);
    if (live) {
      const slack = BigInt(n) + (BigInt(n) * c.emission + (1n << 32n) - 1n) / (1n << 32n);
      expect(total >= c.emission - slack).toBe(true);
    } else {
      expect(total).toBe(0n);
    }
  });

  it.each(SEEDS.slice(0, 150))('seed %i: permuting uids permutes the results', (seed) => {
    // Distinct stakes: permit ties are broken by uid order, on the chain as here.
    const c = randomCase(seed, true);
    const n = c.state.stake.length;
    const rand = mulberry32(seed ^ 0x5eed);
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const permuteRow = (row: SparseU16Row): SparseU16Row => {
      const pairs = row.uids.map((u, e) => [perm[u], row.values[e]]).sort((a, b) => a[0] - b[0]);
      return { uids: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
    };
    const place = <T>(xs: T[]): T[] => {
      const out = new Array<T>(n);
      xs.forEach((x, i) => {
        out[perm[i]] = x;
      });
      return out;
    };
    const s = c.state;
    const permuted: SubnetState = {
      stake: place(s.stake),
      lastUpdate: place(s.lastUpdate),
      registeredAt: place(s.registeredAt),
      weights: place(s.weights.map(permuteRow)),
      bonds: place(s.bonds.map(permuteRow)),
      validatorPermit: place(s.validatorPermit),
    };
    const a = runEpoch(s, { hyperparameters: c.hp, block: c.block, emission: c.emission });
    const b = runEpoch(permuted, { hyperparameters: c.hp, block: c.block, emission: c.emission });
    const fields: (keyof EpochResult)[] = ['active', 'newPermit', ...U16_FIELDS, 'emission'];
    for (const f of fields) expect(b[f]).toEqual(place(a[f] as unknown[]));
    expect(b.bonds).toEqual(place(a.bonds.map(permuteRow)));
  });

  it('breaks permit ties by uid order, so equal stakes are not permutation-invariant', () => {
    const state: SubnetState = {
      stake: [5n, 5n, 5n],
      lastUpdate: [0, 0, 0],
      registeredAt: [0, 0, 0],
      weights: [0, 1, 2].map(() => ({ uids: [], values: [] })),
      bonds: [0, 1, 2].map(() => ({ uids: [], values: [] })),
      validatorPermit: [false, false, false],
    };
    const hp = randomCase(1, false).hp;
    const r = runEpoch(state, { hyperparameters: { ...hp, maxAllowedValidators: 1, stakeThreshold: 0n }, block: 1, emission: 9n });
    expect(r.newPermit).toEqual([false, false, true]);
  });
});
