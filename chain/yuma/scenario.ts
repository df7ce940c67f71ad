/**
 * Scenarios (FORMAT.md §1): parse and validate one, replay its steps on an empty subnet, and
 * build the §5 output. Parsing never throws anything but `ScenarioError`.
 */

import { z } from 'zod';
import { type RunEpochParameters, runEpoch, type SubnetState, type YumaHyperparameters } from './epoch';
import { u16MaxUpscale } from './fixed';

/** A scenario that does not follow FORMAT.md; the CLI exits with code 2 on it. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

const U64_MAX = (1n << 64n) - 1n;
const rao = z
  .string()
  .regex(/^[0-9]+$/, 'must be a decimal string of digits')
  .refine((s) => BigInt(s) <= U64_MAX, 'must fit in u64');
const int = z.number().int();
const u16 = int.min(0).max(65535);
const block = int.min(0).max(Number.MAX_SAFE_INTEGER);

const hyperparametersSchema = z.object({
  kappa: u16,
  bondsMovingAverage: int.min(0).max(1_000_000),
  bondsPenalty: u16,
  yuma3: z.boolean(),
  liquidAlpha: z.boolean(),
  alphaLow: u16,
  alphaHigh: u16,
  alphaSigmoidSteepness: int.min(-32768).max(32767),
  maxAllowedValidators: int.min(0).max(65535),
  activityCutoff: block,
  tempo: block,
  stakeThreshold: rao,
});

const neuronSchema = z.object({ uid: int.min(0), stake: rao, registeredAt: block });

const stepSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('setWeights'),
    uid: int.min(0),
    block,
    uids: z.array(int.min(0)),
    values: z.array(u16),
  }),
  z.object({ type: z.literal('setStake'), uid: int.min(0), stake: rao }),
  z.object({ type: z.literal('epoch'), block, emission: rao }),
]);

export const scenarioSchema = z.object({
  hyperparameters: hyperparametersSchema,
  neurons: z.array(neuronSchema).min(1).max(65536),
  steps: z.array(stepSchema),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;

export type ScenarioStep =
  | { type: 'setWeights'; uid: number; block: number; uids: number[]; values: number[] }
  | { type: 'setStake'; uid: number; stake: bigint }
  | { type: 'epoch'; block: number; emission: bigint };

/** A validated scenario with rao amounts as bigint and neurons in uid order. */
export interface Scenario {
  hyperparameters: YumaHyperparameters;
  neurons: { uid: number; stake: bigint; registeredAt: number }[];
  steps: ScenarioStep[];
}

/** One neuron of one epoch in the §5 output. */
export interface NeuronOutput {
  uid: number;
  active: boolean;
  validatorPermit: boolean;
  stakeWeight: number;
  consensus: number;
  incentive: number;
  dividends: number;
  validatorTrust: number;
  rank: number;
  trust: number;
  emission: string;
  bonds: number[];
}

export interface ScenarioOutput {
  epochs: { block: number; neurons: NeuronOutput[] }[];
}

/** Validate a parsed JSON value as a scenario (FORMAT.md §1). Throws `ScenarioError`. */
export function parseScenario(input: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioError(`invalid scenario at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { hyperparameters: hp, neurons, steps } = parsed.data;
  const n = neurons.length;
  const sorted = neurons.slice().sort((a, b) => a.uid - b.uid);
  sorted.forEach((nr, i) => {
    if (nr.uid !== i) throw new ScenarioError(`neurons: uids must be exactly 0..${n - 1} (missing or duplicate uid ${i})`);
  });
  let lastBlock = -1;
  const out: ScenarioStep[] = steps.map((step, k) => {
    const where = `steps.${k}`;
    if (step.type !== 'epoch' && step.uid >= n) throw new ScenarioError(`${where}.uid: ${step.uid} is not below n = ${n}`);
    if (step.type === 'setStake') return { type: 'setStake', uid: step.uid, stake: BigInt(step.stake) };
    if (step.block < lastBlock) throw new ScenarioError(`${where}.block: ${step.block} is before the previous step's block ${lastBlock}`);
    lastBlock = step.block;
    if (step.type === 'epoch') return { type: 'epoch', block: step.block, emission: BigInt(step.emission) };
    if (step.uids.length !== step.values.length)
      throw new ScenarioError(`${where}: uids and values differ in length (${step.uids.length} vs ${step.values.length})`);
    step.uids.forEach((u, e) => {
      if (u >= n) throw new ScenarioError(`${where}.uids.${e}: ${u} is not below n = ${n}`);
      if (e > 0 && u <= step.uids[e - 1]) throw new ScenarioError(`${where}.uids: must be strictly ascending`);
    });
    return { type: 'setWeights', uid: step.uid, block: step.block, uids: step.uids.slice(), values: step.values.slice() };
  });
  return {
    hyperparameters: { ...hp, stakeThreshold: BigInt(hp.stakeThreshold) },
    neurons: sorted.map((nr) => ({ uid: nr.uid, stake: BigInt(nr.stake), registeredAt: nr.registeredAt })),
    steps: out,
  };
}

/** The §2 initial state: no permits, weights or bonds; LastUpdate = registration block. */
export function buildInitialState(scenario: Scenario): SubnetState {
  return {
    stake: scenario.neurons.map((nr) => nr.stake),
    lastUpdate: scenario.neurons.map((nr) => nr.registeredAt),
    registeredAt: scenario.neurons.map((nr) => nr.registeredAt),
    weights: scenario.neurons.map(() => ({ uids: [], values: [] })),
    bonds: scenario.neurons.map(() => ({ uids: [], values: [] })),
    validatorPermit: scenario.neurons.map(() => false),
  };
}

/** Replay every step and return one §5 entry per epoch step (the permit epoch included). */
export function runScenario(scenario: Scenario): ScenarioOutput {
  let state = buildInitialState(scenario);
  const n = state.stake.length;
  const epochs: ScenarioOutput['epochs'] = [];
  for (const step of scenario.steps) {
    if (step.type === 'setWeights') {
      // set_weights stores the max-upscaled row and replaces the previous one.
      state.weights[step.uid] = { uids: step.uids.slice(), values: u16MaxUpscale(step.values) };
      state.lastUpdate[step.uid] = step.block;
    } else if (step.type === 'setStake') {
      state.stake[step.uid] = step.stake;
    } else {
      const params: RunEpochParameters = {
        hyperparameters: scenario.hyperparameters,
        block: step.block,
        emission: step.emission,
      };
      const r = runEpoch(state, params);
      state = r.state;
      epochs.push({
        block: step.block,
        neurons: Array.from({ length: n }, (_, i) => {
          const bonds = new Array<number>(n).fill(0);
          const row = r.bonds[i];
          row.uids.forEach((j, e) => {
            bonds[j] = row.values[e];
          });
          return {
            uid: i,
            active: r.active[i],
            validatorPermit: r.newPermit[i],
            stakeWeight: r.stakeWeight[i],
            consensus: r.consensus[i],
            incentive: r.incentive[i],
            dividends: r.dividends[i],
            validatorTrust: r.validatorTrust[i],
            rank: r.rank[i],
            trust: r.trust[i],
            emission: r.emission[i].toString(),
            bonds,
          };
        }),
      });
    }
  }
  return { epochs };
}
