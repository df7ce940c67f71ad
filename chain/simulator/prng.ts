/**
 * A tiny seeded PRNG (sfc32, seeded through splitmix32). Pure and platform-independent: the same
 * seed gives the same sequence everywhere, which is what makes the simulator reproducible.
 */

export interface Rng {
  /** Next uint32. */
  nextU32(): number;
  /** Float in [0, 1). */
  float(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max], both included. */
  range(min: number, max: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
}

/** splitmix32 step: spreads a small or structured seed over all 32 bits. */
function splitmix32(state: number): [value: number, next: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [z >>> 0, next];
}

/** Mixes a seed with a label into a new 32-bit seed, so that independent streams don't overlap. */
export function deriveSeed(seed: number, label: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  return splitmix32(h)[0];
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  let s = seed >>> 0;
  let a: number;
  let b: number;
  let c: number;
  [a, s] = splitmix32(s);
  [b, s] = splitmix32(s);
  [c, s] = splitmix32(s);
  let d = 1;

  const nextU32 = (): number => {
    // sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG).
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 is weak right after seeding.
  for (let i = 0; i < 12; i++) nextU32();

  const float = () => nextU32() / 0x100000000;
  const int = (n: number) => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(float() * n);
  };
  return {
    nextU32,
    float,
    int,
    range: (min, max) => min + int(max - min + 1),
    chance: (p) => float() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() from an empty array');
      return items[int(items.length)]!;
    },
  };
}
