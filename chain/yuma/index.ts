/**
 * chain/yuma/: subtensor's Yuma Consensus epoch (sparse path) in exact I32F32 arithmetic, the
 * scenario format of shared/yuma/FORMAT.md, and the owner/miner/validator emission split.
 * Pure code: no I/O outside cli.ts.
 */

import * as fixed from './fixed';

export type {
  EpochResult,
  LiquidAlphaParameters,
  RunEpochParameters,
  SparseU16Row,
  SubnetState,
  YumaHyperparameters,
} from './epoch';
export { clipSparse, consensusSparse, liquidAlpha, runEpoch, topKPermits, weightedMedian } from './epoch';
export type { Fixed } from './fixed';
export type { NeuronOutput, Scenario, ScenarioInput, ScenarioOutput, ScenarioStep } from './scenario';
export { buildInitialState, parseScenario, runScenario, ScenarioError, scenarioSchema } from './scenario';
export type { EmissionSplit } from './split';
export { MINERS_PERCENT, OWNER_PERCENT, splitEmission, VALIDATORS_PERCENT } from './split';
/** I32F32 / I64F64 helpers on BigInt bits (FORMAT.md §4). */
export { fixed };
