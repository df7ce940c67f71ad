import * as chain from './index';

it('keeps its public surface explicit', () => {
  expect(Object.keys(chain).sort()).toMatchInlineSnapshot(`
[
  "ChainError",
  "ContractBuildError",
  "DEFAULT_REGISTRATION_COST",
  "DEFAULT_USD_PER_TOKEN",
  "DeployError",
  "DeploymentFileError",
  "DevnetError",
  "DevnetTimeoutError",
  "HARDHAT_ACCOUNT0_KEY",
  "JobKind",
  "JobState",
  "PRESET_NAMES",
  "PortInUseError",
  "ROLES",
  "SimulatorConfigError",
  "SimulatorError",
  "computeMarketAbi",
  "createSimulator",
  "deployProtocol",
  "deploymentSchema",
  "forwarderAbi",
  "gridTokenAbi",
  "parseDeployment",
  "presets",
  "quotePayment",
  "readDeployment",
  "startDevnet",
  "subnetRegistryAbi",
  "writeDeployment",
]
`);
});
