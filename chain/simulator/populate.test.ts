import type { Address } from 'viem';
import { buildActors } from './actors';
import { applyAction, createModel, ModelError, TOKEN } from './model';
import { type PlanContext, planSetup } from './planner';
import { planPopulate } from './populate';
import { presets, type SimPreset } from './presets';
import { createRng } from './prng';

const DEPLOYER = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' as Address;

function populated(preset: SimPreset, seed = 7) {
  const model = createModel({ registrationCost: 100n * TOKEN, neuronRegistrationCost: TOKEN, usdPerToken: 25_000_000n });
  const ctx: PlanContext = { seed, preset, actors: buildActors(seed, preset), deployer: DEPLOYER };
  planSetup(model, ctx);
  const batches = planPopulate(model, ctx, createRng(seed));
  return { model, ctx, batches };
}

describe('planPopulate', () => {
  it.each(['medium', 'large'] as const)('fills every subnet of the %s preset with its coldkeys’ own hotkeys, in bulk', (name) => {
    const preset = presets[name];
    const { model, ctx, batches } = populated(preset);
    const [register, stake] = batches;
    expect(register!.every((a) => a.type === 'registerNeurons')).toBe(true);
    expect(stake!.every((a) => a.type === 'addStake')).toBe(true);
    expect(model.subnets).toHaveLength(preset.subnets);
    const ownerOf = new Map(ctx.actors.coldkeys.flatMap((c) => c.hotkeys.map((h) => [h.address, c.address] as const)));
    for (const s of model.subnets) {
      expect(s.hotkeys).toHaveLength(preset.neuronsPerSubnet);
      expect(new Set(s.hotkeys).size).toBe(s.hotkeys.length);
      for (const h of s.hotkeys) expect(model.hotkeyOwner.get(h)).toBe(ownerOf.get(h));
    }
    // Whole runs of a coldkey's hotkeys: far fewer transactions than neurons.
    expect(register!.length).toBeLessThanOrEqual(Math.ceil(preset.neuronsPerSubnet / preset.hotkeysPerColdkey) * preset.subnets);
    // Every staked position is a registered neuron of the staking coldkey.
    for (const a of stake!) {
      if (a.type !== 'addStake') continue;
      expect(model.subnets[a.netuid - 1]!.hotkeys).toContain(a.hotkey);
      expect(ownerOf.get(a.hotkey)).toBe(a.from);
    }
  });

  it('is deterministic for a seed', () => {
    expect(populated(presets.medium, 3).batches).toEqual(populated(presets.medium, 3).batches);
  });

  it('the model refuses a bulk registration the registry would refuse', () => {
    const { model, ctx } = populated(presets.medium);
    const c = ctx.actors.coldkeys[0]!;
    const full = model.subnets[0]!;
    expect(() => applyAction(model, { type: 'registerNeurons', from: c.address, netuid: full.netuid, hotkeys: [] })).toThrow(ModelError);
    expect(() =>
      applyAction(model, { type: 'registerNeurons', from: c.address, netuid: full.netuid, hotkeys: [full.hotkeys[0]!] }),
    ).toThrow(ModelError);
  });
});
