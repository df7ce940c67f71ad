import { epochReward, splitPayment } from './bme';
import { createRng } from './simulator/prng';

describe('splitPayment', () => {
  it('burns 95% and rounds the fee down, so the burn takes the remainder', () => {
    expect(splitPayment(100n)).toEqual({ burned: 95n, fee: 5n });
    expect(splitPayment(19n)).toEqual({ burned: 19n, fee: 0n });
    expect(splitPayment(20n)).toEqual({ burned: 19n, fee: 1n });
    expect(splitPayment(12n * 10n ** 18n)).toEqual({ burned: 114n * 10n ** 17n, fee: 6n * 10n ** 17n });
  });

  it('conserves every payment exactly', () => {
    const rng = createRng(7);
    for (let i = 0; i < 1_000; i++) {
      const payment = BigInt(rng.range(0, 1_000_000)) * BigInt(rng.range(1, 1_000_000)) + BigInt(rng.range(0, 99));
      const { burned, fee } = splitPayment(payment);
      expect(burned + fee).toBe(payment);
      expect(fee * 20n).toBeLessThanOrEqual(payment);
      expect(burned * 100n).toBeGreaterThanOrEqual(payment * 95n);
    }
  });
});

describe('epochReward', () => {
  it('splits the work emission pro rata, rounding down, never above the emission', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      const works = Array.from({ length: rng.range(1, 20) }, () => BigInt(rng.range(1, 50_000)));
      const total = works.reduce((a, b) => a + b, 0n);
      const emission = BigInt(rng.range(1, 10 ** 9)) * 10n ** 9n + 7n;
      const e = { workEmission: emission, workApproved: total, availabilityEmission: 0n, availableProviders: 0 };
      const paid = works.map((w) => epochReward(e, { workApproved: w, available: false }).workReward);
      const sum = paid.reduce((a, b) => a + b, 0n);
      expect(sum).toBeLessThanOrEqual(emission);
      // Each share loses less than 1 wei to rounding.
      expect(emission - sum).toBeLessThan(BigInt(works.length));
    }
  });

  it('splits availability equally among available providers only', () => {
    const e = { workEmission: 0n, workApproved: 0n, availabilityEmission: 100n, availableProviders: 3 };
    expect(epochReward(e, { workApproved: 0n, available: true })).toEqual({ workReward: 0n, availabilityReward: 33n });
    expect(epochReward(e, { workApproved: 0n, available: false })).toEqual({ workReward: 0n, availabilityReward: 0n });
  });
});
