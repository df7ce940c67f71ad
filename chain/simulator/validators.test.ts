import type { Address } from 'viem';
import { buildActors } from './actors';
import { presets } from './presets';
import { createRng } from './prng';
import { minerQuality, planWeights, type SubnetChainView, validatorStyle, type WeightsMemory } from './validators';

const seed = 7;
const actors = buildActors(seed, presets.small);
// uid k is hotkey 0 of coldkey k: coldkeys 0, 1 honest, 2 lazy, 3 colluding, 4, 5 honest, 6 lazy, 7 colluding.
const hotkeys = actors.coldkeys.map((c) => c.hotkeys[0]!.address);

const view = (over: Partial<SubnetChainView> = {}): SubnetChainView => ({
  netuid: 2,
  head: 100,
  weightsRateLimit: 10,
  permitBits: (1n << 8n) - 1n,
  epochBlock: 50,
  hotkeys,
  registeredAt: hotkeys.map(() => 10),
  lastUpdate: hotkeys.map(() => 10),
  ...over,
});

describe('simulated validators', () => {
  it('assigns styles in a pattern of four and qualities from the seed alone', () => {
    expect([0, 1, 2, 3, 4, 7].map(validatorStyle)).toEqual(['honest', 'honest', 'lazy', 'colluding', 'honest', 'colluding']);
    expect(minerQuality(seed, hotkeys[0]!)).toBe(minerQuality(seed, hotkeys[0]!));
    expect(minerQuality(seed, hotkeys[0]!)).not.toBe(minerQuality(seed + 1, hotkeys[0]!));
  });

  it('only plans calls the registry accepts: permit held since the epoch, rate limit passed, ascending uids, no self-weight', () => {
    const plan = (v: SubnetChainView) => planWeights({ seed, actors }, [v], createRng(1), new Map());
    expect(plan(view({ epochBlock: 0 }))).toEqual([]);
    expect(plan(view({ permitBits: 0n }))).toEqual([]);
    expect(plan(view({ registeredAt: hotkeys.map(() => 60) }))).toEqual([]);
    expect(plan(view({ lastUpdate: hotkeys.map(() => 95) }))).toEqual([]);
    const actions = plan(view());
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      if (a.type !== 'setWeights') throw new Error(a.type);
      const uid = hotkeys.indexOf(a.from);
      expect(a.uids).not.toContain(uid);
      expect(a.uids).toEqual([...a.uids].sort((x, y) => x - y));
      expect(new Set(a.uids).size).toBe(a.uids.length);
      expect(a.values).toHaveLength(a.uids.length);
    }
  });

  it('has honest validators weight the better half by quality and colluders weight only each other', () => {
    const memory: WeightsMemory = new Map();
    const rows = new Map<Address, number[]>();
    for (let r = 0; r < 20; r++) {
      for (const a of planWeights({ seed, actors }, [view()], createRng(r), memory)) if (a.type === 'setWeights') rows.set(a.from, a.uids);
    }
    const best = [...hotkeys.keys()]
      .filter((j) => j !== 0)
      .sort((x, y) => minerQuality(seed, hotkeys[y]!) - minerQuality(seed, hotkeys[x]!));
    expect(rows.get(hotkeys[0]!)).toEqual(best.slice(0, 4).sort((x, y) => x - y));
    expect(rows.get(hotkeys[3]!)).toEqual([7]);
    expect(rows.get(hotkeys[7]!)).toEqual([3]);
  });
});
