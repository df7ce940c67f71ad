/**
 * The intelligence layer's part of the deployment: the EpochLedger, its wiring into the token and
 * the registry, the keeper's role, and the compute subnet. Kept apart from deploy.ts so that the
 * two halves of the protocol can change without touching each other's transaction lists.
 * @internal
 */
import { type Address, encodeDeployData, encodeFunctionData, type Hex, keccak256, maxUint256, toHex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { artifacts } from './contracts';

/**
 * Hardhat's well-known account #9: the keeper's default key. Public knowledge, for devnets only.
 * A separate account from the deployer's so that the keeper's nonces never race the simulator's.
 */
export const HARDHAT_KEEPER_KEY: Hex = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6';

export const KEEPER_ROLE = keccak256(toHex('KEEPER_ROLE'));
const MINTER_ROLE = keccak256(toHex('MINTER_ROLE'));

/** Tempo of the compute subnet registered at deploy time, in blocks. */
export const COMPUTE_SUBNET_TEMPO = 100;
export const COMPUTE_SUBNET_NAME = 'compute';

export interface LedgerTx {
  label: string;
  to?: Address;
  data: Hex;
  gas: bigint;
}

export interface LedgerTxsParameters {
  deployer: Address;
  token: Address;
  registry: Address;
  /** Where the EpochLedger will be: the address of the first transaction returned here. */
  ledger: Address;
  /** Gets KEEPER_ROLE; the address of HARDHAT_KEEPER_KEY by default. */
  keeper?: Address;
  /** Burned by the compute subnet's registration (the registry's registrationCost). */
  registrationCost: bigint;
  /** Register the compute subnet (netuid 1 on a fresh deployment); true by default. */
  computeSubnet?: boolean;
}

/**
 * Transactions, in order, from the deployer: deploy the ledger, let it mint, let the keeper post,
 * point the registry at it, then register the compute subnet and mark it as such.
 */
export function buildLedgerTxs(p: LedgerTxsParameters): LedgerTx[] {
  const keeper = p.keeper ?? (privateKeyToAddress(HARDHAT_KEEPER_KEY).toLowerCase() as Address);
  const txs: LedgerTx[] = [
    {
      label: 'deploy EpochLedger',
      data: encodeDeployData({ ...artifacts.EpochLedger, args: [p.token, p.registry, p.deployer] }),
      gas: 3_000_000n,
    },
    {
      label: 'grant MINTER_ROLE to the EpochLedger',
      to: p.token,
      data: encodeFunctionData({ abi: artifacts.GridToken.abi, functionName: 'grantRole', args: [MINTER_ROLE, p.ledger] }),
      gas: 200_000n,
    },
    {
      label: 'grant KEEPER_ROLE',
      to: p.ledger,
      data: encodeFunctionData({ abi: artifacts.EpochLedger.abi, functionName: 'grantRole', args: [KEEPER_ROLE, keeper] }),
      gas: 200_000n,
    },
    {
      label: 'setEpochLedger',
      to: p.registry,
      data: encodeFunctionData({ abi: artifacts.SubnetRegistry.abi, functionName: 'setEpochLedger', args: [p.ledger] }),
      gas: 200_000n,
    },
  ];
  if (p.computeSubnet === false) return txs;
  txs.push(
    // The deployer pays the subnet registration like anyone else: mint, approve, register.
    {
      label: 'mint the compute subnet registration cost',
      to: p.token,
      data: encodeFunctionData({ abi: artifacts.GridToken.abi, functionName: 'mint', args: [p.deployer, p.registrationCost] }),
      gas: 200_000n,
    },
    {
      label: 'approve the registry',
      to: p.token,
      data: encodeFunctionData({ abi: artifacts.GridToken.abi, functionName: 'approve', args: [p.registry, maxUint256] }),
      gas: 200_000n,
    },
    {
      label: 'register the compute subnet',
      to: p.registry,
      data: encodeFunctionData({
        abi: artifacts.SubnetRegistry.abi,
        functionName: 'registerSubnet',
        args: [COMPUTE_SUBNET_NAME, COMPUTE_SUBNET_TEMPO],
      }),
      gas: 500_000n,
    },
    {
      label: 'setComputeSubnet',
      to: p.registry,
      // The first subnet of a fresh registry is netuid 1.
      data: encodeFunctionData({ abi: artifacts.SubnetRegistry.abi, functionName: 'setComputeSubnet', args: [1] }),
      gas: 200_000n,
    },
  );
  return txs;
}
