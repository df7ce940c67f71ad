/**
 * Scale presets of the simulator: `small` for tests (seconds), `medium` for `npm start` (a live
 * network at the devnet's 1 block/s on a 2-core machine, beside the indexer, gateway and
 * inference), `large` for benchmarks (32 subnets of 256 neurons, 2,000 providers; about 3,300
 * events a round). On Hardhat 2.29's devnet a history costs per EVM step: the node records a
 * trace of every step it runs, copies it for the response, and keeps memory in proportion (it was
 * killed for memory at 22 GB after 333k events of this preset), so the presets batch work into
 * few transactions and the contracts keep their per-event paths short.
 */

export interface SimPreset {
  name: string;
  subnets: number;
  /** Neurons the simulator fills each subnet up to (the chain's own cap is 256 uids). */
  neuronsPerSubnet: number;
  /** Tempo (blocks between epochs) of the subnets the simulator registers. */
  tempo: number;
  /**
   * Blocks between two setWeights of one uid in the subnets the simulator registers; the
   * registry's default (100) when absent. Neurons count from their registration, so a run shorter
   * than this sets no weights at all and its epochs pay only subnet owners.
   */
  weightsRateLimit?: number;
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
  /**
   * At setup, fill every subnet to neuronsPerSubnet at once (each coldkey registers its hotkeys
   * with registerNeurons) and stake each coldkey's first hotkey per subnet, instead of growing
   * the subnets one registration per coldkey and round.
   */
  populate?: boolean;
  /**
   * Market work in few transactions (the contract's batch entry points, which emit what the single
   * calls would): each provider has 1..providerSlots GPUs (a trait of its address) and claims and
   * completes several jobs per transaction, each sender posts 1..jobsPerPost jobs per transaction
   * and approves all its good results at once. Without it, one job per transaction.
   */
  batching?: { providerSlots: number; jobsPerPost: number };
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
  medium: {
    name: 'medium',
    // At 1 block/s: an epoch per subnet every 100 s.
    tempo: 100,
    subnets: 6,
    neuronsPerSubnet: 64,
    coldkeys: 32,
    hotkeysPerColdkey: 8,
    stakers: 40,
    providers: 100,
    senders: 40,
    markets: 9,
    stakerFunding: 20_000n,
    senderFunding: 100_000n,
    activity: { coldkey: 0.3, staker: 0.2, provider: 0.5, sender: 0.4 },
    populate: true,
  },
  large: {
    name: 'large',
    // The generator mines a block or two per round: an epoch per subnet every ~10 rounds.
    tempo: 20,
    // Once per epoch: a benchmark history of a few hundred blocks has validators weighting from
    // its 20th block on, so its epochs run the whole of Yuma (consensus, bonds, dividends).
    weightsRateLimit: 20,
    subnets: 32,
    neuronsPerSubnet: 256,
    coldkeys: 256,
    hotkeysPerColdkey: 8,
    stakers: 400,
    providers: 2000,
    senders: 400,
    markets: 9,
    stakerFunding: 50_000n,
    senderFunding: 200_000n,
    // A round is one block: providers act about every seventh, each on up to 8 jobs at once, senders
    // post up to 12 jobs at a time, stake moves now and then. Several times the jobs that one job
    // per transaction gave, in fewer transactions (a devnet spends its time per transaction and per
    // EVM step, not per event).
    activity: { coldkey: 0.1, staker: 0.05, provider: 0.15, sender: 0.5 },
    populate: true,
    batching: { providerSlots: 8, jobsPerPost: 12 },
  },
} as const satisfies Record<string, SimPreset>;

export type PresetName = keyof typeof presets;
export const PRESET_NAMES = Object.keys(presets) as PresetName[];
