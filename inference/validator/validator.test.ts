import { type ComputeSubnetState, isDue } from './validator';

const state = (over: Partial<ComputeSubnetState> = {}): ComputeSubnetState => ({
  netuid: 1,
  head: 1000,
  tempo: 100,
  weightsRateLimit: 50,
  permitBits: 0b101n,
  epochBlock: 900,
  hotkeys: ['0x01', '0x02', '0x03'] as `0x${string}`[],
  registeredAt: [10, 10, 950],
  lastUpdate: [0, 0, 0],
  ...over,
});

describe('isDue', () => {
  it('needs a permit from the last epoch, held since before it', () => {
    expect(isDue(state(), 0)).toBe(true);
    expect(isDue(state(), 1)).toBe(false); // no permit bit
    expect(isDue(state(), 2)).toBe(false); // registered after the epoch that granted the bit
    expect(isDue(state({ epochBlock: 0 }), 0)).toBe(false); // no epoch yet
  });

  it('sets once per tempo, and never against the rate limit', () => {
    // The transaction lands at head + 1: due when head + 1 - last >= max(tempo, rate limit).
    expect(isDue(state({ lastUpdate: [901, 0, 0] }), 0)).toBe(true);
    expect(isDue(state({ lastUpdate: [902, 0, 0] }), 0)).toBe(false);
    expect(isDue(state({ lastUpdate: [902, 0, 0], tempo: 10, weightsRateLimit: 200 }), 0)).toBe(false);
    expect(isDue(state({ lastUpdate: [801, 0, 0], tempo: 10, weightsRateLimit: 200 }), 0)).toBe(true);
  });
});
