/**
 * Validators of the simulated subnets: which weights each permit holder sets, and when. Pure:
 * the chain's view (permits, LastUpdate, head) and a PRNG in, setWeights actions out.
 *
 * Styles, by the coldkey that owns the hotkey (a pattern of 4, so any preset has all three):
 * - honest: weights the best half of the other neurons by a hidden quality, most rounds it may;
 * - lazy: rarely sets weights, and then copies the last row an honest validator set;
 * - colluding (a minority): weights only the neurons of other colluding coldkeys. Yuma's
 *   stake-weighted consensus clips those weights, so its validator trust and dividends fall.
 * On a subnet with a model row (the compute subnet, when the simulator is given the validator loop's
 * weights: inference/validator), honest validators set that row instead of the hidden quality.
 */
import { type Address, hexToBigInt, keccak256, toHex } from 'viem';
import type { SimActors } from './actors';
import type { Action } from './model';
import type { Rng } from './prng';

export type ValidatorStyle = 'honest' | 'lazy' | 'colluding';

export function validatorStyle(coldkeyIndex: number): ValidatorStyle {
  const r = coldkeyIndex % 4;
  return r === 2 ? 'lazy' : r === 3 ? 'colluding' : 'honest';
}

/** A neuron's hidden quality in [0, 1), from the seed and its hotkey only. */
export function minerQuality(seed: number, hotkey: Address): number {
  return Number(hexToBigInt(keccak256(toHex(`gridmind-sim:${seed}:quality:${hotkey}`))) >> 224n) / 2 ** 32;
}

/** What the chain says about one subnet at the block before the round (registry + ledger views). */
export interface SubnetChainView {
  netuid: number;
  head: number;
  weightsRateLimit: number;
  /** EpochLedger.validatorPermits: bitmap and the last epoch's block (0: none yet). */
  permitBits: bigint;
  epochBlock: number;
  hotkeys: Address[];
  registeredAt: number[];
  lastUpdate: number[];
}

/**
 * Whether `uid` may set weights in the next block: a permit from the last epoch, held since before
 * it, and the rate limit passed (the transaction lands at head + 1 at the earliest; subtensor's rule:
 * block − last ≥ limit).
 */
export function mayWeight(v: SubnetChainView, uid: number): boolean {
  const permit = v.epochBlock > 0 && ((v.permitBits >> BigInt(uid)) & 1n) === 1n && v.registeredAt[uid]! <= v.epochBlock;
  return permit && !(v.lastUpdate[uid] !== 0 && v.head + 1 - v.lastUpdate[uid]! < v.weightsRateLimit);
}

/** Last row each validator set, per `${netuid}:${hotkey}`; the lazy ones copy from it. */
export type WeightsMemory = Map<string, { uids: number[]; values: number[]; style: ValidatorStyle }>;

const HONEST_RATE = 0.8;
const LAZY_RATE = 0.15;
const COLLUDING_RATE = 0.8;

/**
 * setWeights actions for this round: only from hotkeys that hold a permit (bit set, registered by
 * the last epoch) and whose rate limit has passed by the next block, so every one succeeds.
 */
export function planWeights(
  ctx: { seed: number; actors: SimActors },
  views: readonly SubnetChainView[],
  rng: Rng,
  memory: WeightsMemory,
  /** Per netuid: the row honest validators set there (the model's), instead of the hidden quality. */
  modelRows?: ReadonlyMap<number, { uids: readonly number[]; values: readonly number[] }>,
): Action[] {
  const coldkeyOf = new Map<Address, number>();
  ctx.actors.coldkeys.forEach((c, i) => {
    for (const h of c.hotkeys) coldkeyOf.set(h.address, i);
  });
  const out: Action[] = [];
  for (const v of views) {
    const n = v.hotkeys.length;
    for (let uid = 0; uid < n; uid++) {
      const hotkey = v.hotkeys[uid]!;
      const owner = coldkeyOf.get(hotkey);
      if (owner === undefined) continue; // not one of ours (e.g. a provider's neuron)
      if (!mayWeight(v, uid)) continue;
      const style = validatorStyle(owner);
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== uid);
      let row: { uids: number[]; values: number[] } | undefined;
      const modelRow = modelRows?.get(v.netuid);
      if (style === 'honest' && rng.chance(HONEST_RATE)) {
        if (modelRow) {
          const keep = modelRow.uids.map((j, e) => [j, modelRow.values[e]!] as const).filter(([j]) => j !== uid && j < n);
          row = { uids: keep.map(([j]) => j), values: keep.map(([, w]) => w) };
        } else {
          const ranked = others
            .map((j) => ({ j, q: minerQuality(ctx.seed, v.hotkeys[j]!) }))
            .sort((a, b) => b.q - a.q)
            .slice(0, Math.max(1, Math.ceil(others.length / 2)))
            .sort((a, b) => a.j - b.j);
          // A little noise: honest validators measure quality, they don't know it.
          row = {
            uids: ranked.map((r) => r.j),
            // Up to 1.1 x 60000 with the noise: clamped to the u16 the registry takes.
            values: ranked.map((r) => Math.min(65535, Math.max(1, Math.round(r.q * (0.9 + 0.2 * rng.float()) * 60000)))),
          };
        }
      } else if (style === 'lazy' && rng.chance(LAZY_RATE)) {
        const copied = [...memory.entries()].find(([k, m]) => k.startsWith(`${v.netuid}:`) && m.style === 'honest');
        if (copied) {
          const keep = copied[1].uids.map((j, e) => [j, copied[1].values[e]!] as const).filter(([j]) => j !== uid && j < n);
          row = { uids: keep.map(([j]) => j), values: keep.map(([, w]) => w) };
        }
      } else if (style === 'colluding' && rng.chance(COLLUDING_RATE)) {
        const friends = others.filter((j) => {
          const o = coldkeyOf.get(v.hotkeys[j]!);
          return o !== undefined && validatorStyle(o) === 'colluding';
        });
        if (friends.length > 0) row = { uids: friends, values: friends.map(() => 65535) };
      }
      if (!row || row.uids.length === 0) continue;
      memory.set(`${v.netuid}:${hotkey}`, { ...row, style });
      out.push({ type: 'setWeights', from: hotkey, netuid: v.netuid, uids: row.uids, values: row.values });
    }
  }
  return out;
}
