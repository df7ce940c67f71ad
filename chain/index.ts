/**
 * chain/: the protocol. Contracts (compiled by build.ts into artifacts/), the devnet, the deployer
 * and the deterministic simulator. Other folders import from here, never from deep paths.
 */
export { startDevnet } from './devnet';
export type { Devnet, StartDevnetParameters } from './devnet';
export { deployProtocol, HARDHAT_ACCOUNT0_KEY, DEFAULT_REGISTRATION_COST, DEFAULT_USD_PER_TOKEN, ROLES } from './deploy';
export type { DeployProtocolParameters } from './deploy';
export { readDeployment, writeDeployment, parseDeployment, deploymentSchema } from './deployment';
export type { Deployment } from './deployment';
export { createSimulator, presets, PRESET_NAMES, JobKind, JobState, quotePayment } from './simulator';
export type { CreateSimulatorParameters, RunParameters, Simulator, SimulatorProgress, PresetName, SimPreset } from './simulator';
export { gridTokenAbi, forwarderAbi, subnetRegistryAbi, computeMarketAbi } from './artifacts/abis';
export {
  ChainError,
  ContractBuildError,
  DevnetError,
  DevnetTimeoutError,
  PortInUseError,
  DeployError,
  DeploymentFileError,
  SimulatorError,
  SimulatorConfigError,
} from './errors';
