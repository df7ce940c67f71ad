/** Scale presets of the simulator: `small` for tests, `large` for benchmarks. */

export interface SimPreset {
  name: string;
  subnets: number;
  /** Neurons the simulator fills each subnet up to (the chain's own cap is 256 uids). */
  neuronsPerSubnet: number;
  /** Tempo (blocks between epochs) of the subnets the simulator registers. */
  tempo: number;
  coldkeys: number;
  hotkeysPerColdkey: number;
  /** Nominators: coldkeys that only stake on others' hotkeys. */
  stakers: number;
  providers: number;
  senders: number;
  /** Markets created at setup, cycling through render/inference/training and tiers. */
  markets: number;
  /** Tokens (whole GRID) minted to each actor at setup, and again when it runs low. */
  stakerFunding: bigint;
  senderFunding: bigint;
  /** Per-round probability that an actor acts at all. */
  activity: { coldkey: number; staker: number; provider: number; sender: number };
}

export const presets = {
  small: {
    name: 'small',
    tempo: 30,
    subnets: 3,
    neuronsPerSubnet: 8,
    coldkeys: 8,
    hotkeysPerColdkey: 3,
    stakers: 4,
    providers: 10,
    senders: 6,
    markets: 4,
    stakerFunding: 5_000n,
    senderFunding: 20_000n,
    activity: { coldkey: 0.6, staker: 0.4, provider: 0.8, sender: 0.5 },
  },
  large: {
    name: 'large',
    tempo: 360,
    subnets: 16,
    neuronsPerSubnet: 64,
    coldkeys: 128,
    hotkeysPerColdkey: 8,
    stakers: 200,
    providers: 300,
    senders: 120,
    markets: 9,
    stakerFunding: 50_000n,
    senderFunding: 200_000n,
    activity: { coldkey: 0.5, staker: 0.2, provider: 0.8, sender: 0.4 },
  },
} as const satisfies Record<string, SimPreset>;

export type PresetName = keyof typeof presets;
export const PRESET_NAMES = Object.keys(presets) as PresetName[];
