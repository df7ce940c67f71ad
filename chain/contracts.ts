/**
 * Typed handles on the committed artifacts: ABI (as const, for viem's inference) and bytecode.
 * @internal
 */
import type { Abi, Hex } from 'viem';
import { computeMarketAbi, epochLedgerAbi, forwarderAbi, gridTokenAbi, subnetRegistryAbi } from './artifacts/abis';
import computeMarketArtifact from './artifacts/ComputeMarket.json';
import epochLedgerArtifact from './artifacts/EpochLedger.json';
import forwarderArtifact from './artifacts/Forwarder.json';
import gridTokenArtifact from './artifacts/GridToken.json';
import subnetRegistryArtifact from './artifacts/SubnetRegistry.json';

export interface ContractArtifact<TAbi extends Abi> {
  abi: TAbi;
  bytecode: Hex;
}

export const artifacts = {
  GridToken: { abi: gridTokenAbi, bytecode: gridTokenArtifact.bytecode as Hex },
  Forwarder: { abi: forwarderAbi, bytecode: forwarderArtifact.bytecode as Hex },
  SubnetRegistry: { abi: subnetRegistryAbi, bytecode: subnetRegistryArtifact.bytecode as Hex },
  ComputeMarket: { abi: computeMarketAbi, bytecode: computeMarketArtifact.bytecode as Hex },
  EpochLedger: { abi: epochLedgerAbi, bytecode: epochLedgerArtifact.bytecode as Hex },
} as const;
