/**
 * Setup of the presets with `populate`: every simulated subnet filled to neuronsPerSubnet in one
 * batch of registerNeurons (each coldkey registers a run of its own hotkeys), then a batch of
 * stake on a share of the new positions, so that the first epochs already give permits to a
 * stake-ranked set of validators. Pure: model + PRNG in, actions out (applied to the model).
 *
 * Subnet i takes whole coldkeys in turn from coldkey (i * coldkeysPerSubnet) mod C on, so each
 * coldkey's hotkeys sit together on a few subnets (a hotkey is one identity on all of them).
 */
import type { Address } from 'viem';
import { type Action, applyAction, balanceOf, type SimModel, TOKEN } from './model';
import type { PlanContext } from './planner';
import type { Rng } from './prng';

/** Share of the new (coldkey, hotkey, subnet) positions that get stake at setup. */
const STAKED_SHARE = 0.3;

export function planPopulate(m: SimModel, ctx: PlanContext, rng: Rng): Action[][] {
  const { preset, actors } = ctx;
  const register: Action[] = [];
  const positions: { coldkey: Address; hotkey: Address; netuid: number }[] = [];
  const push = (out: Action[], a: Action) => {
    applyAction(m, a);
    out.push(a);
  };
  const C = actors.coldkeys.length;
  const perColdkey = preset.hotkeysPerColdkey;
  if (C === 0 || perColdkey === 0) return [];
  const coldkeysPerSubnet = Math.ceil(preset.neuronsPerSubnet / perColdkey);
  // The preset's subnets: the ones its owners registered (the compute subnet is the providers').
  const owners = new Set(actors.subnetOwners.map((o) => o.address));
  const subnets = m.subnets.filter((s) => owners.has(s.owner));
  subnets.forEach((s, i) => {
    let c = (i * coldkeysPerSubnet) % C;
    for (let tried = 0; tried < C && s.hotkeys.length < preset.neuronsPerSubnet; tried++, c = (c + 1) % C) {
      const coldkey = actors.coldkeys[c]!;
      const free = coldkey.hotkeys.map((h) => h.address).filter((h) => !s.hotkeys.includes(h));
      const take = free.slice(0, preset.neuronsPerSubnet - s.hotkeys.length);
      if (take.length === 0 || balanceOf(m, coldkey.address) < m.neuronRegistrationCost * BigInt(take.length)) continue;
      push(register, { type: 'registerNeurons', from: coldkey.address, netuid: s.netuid, hotkeys: take });
      for (const hotkey of take) positions.push({ coldkey: coldkey.address, hotkey, netuid: s.netuid });
    }
  });
  const stake: Action[] = [];
  for (const p of positions) {
    if (!rng.chance(STAKED_SHARE)) continue;
    const whole = BigInt(rng.range(10, 1000));
    if (balanceOf(m, p.coldkey) < whole * TOKEN) continue;
    push(stake, { type: 'addStake', from: p.coldkey, hotkey: p.hotkey, netuid: p.netuid, amount: whole * TOKEN });
  }
  return [register, stake].filter((b) => b.length > 0);
}
