/**
 * The simulated population, derived from the seed alone: keys, roles and each provider's hidden
 * traits. Pure: no I/O. Private keys are keccak256 of a label, hence reproducible (and worthless).
 */
import { type Address, type Hex, keccak256, toHex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import type { SimPreset } from './presets';
import { createRng, deriveSeed } from './prng';

export interface Actor {
  address: Address;
  key: Hex;
}

export interface ColdkeyActor extends Actor {
  hotkeys: Actor[];
}

export interface GpuProfile {
  gpuModel: string;
  vramGb: number;
  /** OctaneBench-like score around which a provider's benchmark varies. */
  benchmark: number;
  tier: number;
}

export interface ProviderActor extends Actor {
  gpu: GpuProfile;
  benchmarkScore: number;
  /** Hidden from the chain: probability that a claimed job is finished on time. Kept for later issues
   *  (rejections, reputation); today it only delays completion. */
  reliability: number;
  /** Hidden: work units per round it can process, relative to 1.0. */
  speed: number;
}

export interface SimActors {
  subnetOwners: Actor[];
  coldkeys: ColdkeyActor[];
  stakers: Actor[];
  providers: ProviderActor[];
  senders: Actor[];
}

export const GPU_PROFILES: readonly GpuProfile[] = [
  { gpuModel: 'RTX 3090', vramGb: 24, benchmark: 650, tier: 1 },
  { gpuModel: 'RTX 4090', vramGb: 24, benchmark: 1300, tier: 2 },
  { gpuModel: 'RTX A6000', vramGb: 48, benchmark: 800, tier: 2 },
  { gpuModel: 'L40S', vramGb: 48, benchmark: 1100, tier: 2 },
  { gpuModel: 'A100 80GB', vramGb: 80, benchmark: 1000, tier: 3 },
  { gpuModel: 'H100 80GB', vramGb: 80, benchmark: 1500, tier: 3 },
];

/** A deterministic private key for (seed, role, index). */
export function deriveKey(seed: number, role: string, index: number): Hex {
  return keccak256(toHex(`gridmind-sim:${seed}:${role}:${index}`));
}

function actor(seed: number, role: string, index: number): Actor {
  const key = deriveKey(seed, role, index);
  return { key, address: privateKeyToAddress(key).toLowerCase() as Address };
}

export function buildActors(seed: number, preset: SimPreset): SimActors {
  const rng = createRng(deriveSeed(seed, 'actors'));
  const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  return {
    subnetOwners: times(preset.subnets, (i) => actor(seed, 'subnet-owner', i)),
    coldkeys: times(preset.coldkeys, (i) => ({
      ...actor(seed, 'coldkey', i),
      hotkeys: times(preset.hotkeysPerColdkey, (j) => actor(seed, `hotkey-${i}`, j)),
    })),
    stakers: times(preset.stakers, (i) => actor(seed, 'staker', i)),
    providers: times(preset.providers, (i) => {
      const gpu = rng.pick(GPU_PROFILES);
      return {
        ...actor(seed, 'provider', i),
        gpu,
        benchmarkScore: Math.round(gpu.benchmark * (0.9 + 0.2 * rng.float())),
        reliability: Math.round((0.6 + 0.4 * rng.float()) * 1000) / 1000,
        speed: Math.round((0.5 + 1.5 * rng.float()) * 1000) / 1000,
      };
    }),
    senders: times(preset.senders, (i) => actor(seed, 'sender', i)),
  };
}

/** Every actor that sends transactions (hotkeys don't, yet). */
export function sendingActors(actors: SimActors): Actor[] {
  return [...actors.subnetOwners, ...actors.coldkeys, ...actors.stakers, ...actors.providers, ...actors.senders];
}
