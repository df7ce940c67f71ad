/**
 * chain/: the protocol. Contracts (compiled by build.ts into artifacts/), the devnet, the deployer
 * and the deterministic simulator. Other folders import from here, never from deep paths.
 */

export { computeMarketAbi, epochLedgerAbi, forwarderAbi, gridTokenAbi, subnetRegistryAbi } from './artifacts/abis';
export type { EpochTotalsInput, PaymentSplit, ProviderEpochInput } from './bme';
export { creditedWork, epochReward, splitPayment } from './bme';
export type { DeployProtocolParameters } from './deploy';
export { DEFAULT_REGISTRATION_COST, DEFAULT_USD_PER_TOKEN, deployProtocol, HARDHAT_ACCOUNT0_KEY, ROLES } from './deploy';
export { COMPUTE_SUBNET_NAME, COMPUTE_SUBNET_TEMPO, HARDHAT_KEEPER_KEY, KEEPER_ROLE } from './deploy-ledger';
export type { Deployment } from './deployment';
export { deploymentSchema, parseDeployment, readDeployment, writeDeployment } from './deployment';
export type { Devnet, StartDevnetParameters } from './devnet';
export { startDevnet } from './devnet';
export {
  ChainError,
  ContractBuildError,
  DeployError,
  DeploymentFileError,
  DevnetError,
  DevnetTimeoutError,
  KeeperConfigError,
  KeeperError,
  PortInUseError,
  SimulatorConfigError,
  SimulatorError,
} from './errors';
export type {
  BuiltEpoch,
  ChainHyperparameters,
  CreateKeeperParameters,
  EpochInputs,
  Keeper,
  KeeperRunParameters,
  NeuronResultArgs,
  PostedEpoch,
} from './keeper';
export { buildEpoch, createKeeper, EMISSION_PER_BLOCK, hashBonds, hashEpochInputs } from './keeper';
export type { CreateSimulatorParameters, KindStats, PresetName, RunParameters, SimPreset, Simulator, SimulatorProgress } from './simulator';
export { createSimulator, JobKind, JobState, PRESET_NAMES, presets, quotePayment } from './simulator';
export type {
  EmissionSplit,
  EpochResult,
  RunEpochParameters,
  Scenario,
  ScenarioOutput,
  SparseU16Row,
  SubnetState,
  YumaHyperparameters,
} from './yuma';
export { parseScenario, runEpoch, runScenario, ScenarioError, splitEmission } from './yuma';
