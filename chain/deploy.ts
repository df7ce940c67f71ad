/**
 * Deploys the protocol (token, forwarder, registry, market), wires its roles and sets the oracle
 * price. Transactions are sent one after another with explicit nonces and awaited together, so a
 * deploy takes a few blocks whether the chain automines or mines on an interval.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hex,
  http,
  keccak256,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { artifacts } from './contracts';
import { buildLedgerTxs } from './deploy-ledger';
import type { Deployment } from './deployment';
import { DeployError } from './errors';

/** Hardhat's well-known account #0. Public knowledge: for devnets only. */
export const HARDHAT_ACCOUNT0_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** 100 GRID burned per subnet registration. */
export const DEFAULT_REGISTRATION_COST = 100n * 10n ** 18n;
/** $0.25 per GRID (8 decimals). */
export const DEFAULT_USD_PER_TOKEN = 25_000_000n;

export const ROLES = {
  MINTER: keccak256(toHex('MINTER_ROLE')),
  BURNER: keccak256(toHex('BURNER_ROLE')),
  MARKET_ADMIN: keccak256(toHex('MARKET_ADMIN_ROLE')),
  ORACLE: keccak256(toHex('ORACLE_ROLE')),
  /** May approve or reject any completed job on the compute market (besides the compute subnet's permit holders). */
  VALIDATOR: keccak256(toHex('VALIDATOR_ROLE')),
} as const;

export interface DeployProtocolParameters {
  rpcUrl: string;
  /** Defaults to Hardhat's account #0. */
  deployerKey?: Hex;
  registrationCost?: bigint;
  usdPerToken?: bigint;
  /** Receipt wait limit; 60 s by default. */
  timeoutMs?: number;
  /** Gets the EpochLedger's KEEPER_ROLE; Hardhat's account #9 (HARDHAT_KEEPER_KEY) by default. */
  keeper?: Address;
  /** Register the compute subnet (netuid 1); true by default. */
  computeSubnet?: boolean;
}

/**
 * @example
 * const devnet = await startDevnet();
 * const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
 */
export async function deployProtocol(params: DeployProtocolParameters): Promise<Deployment> {
  const account = privateKeyToAccount(params.deployerKey ?? HARDHAT_ACCOUNT0_KEY);
  const transport = http(params.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport });
  const wallet = createWalletClient({ account, transport });
  const deployer = account.address.toLowerCase() as Address;

  try {
    const chainId = await publicClient.getChainId();
    const genesis = await publicClient.getBlock({ blockNumber: 0n });
    let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const addressAt = (n: number) => getContractAddress({ from: account.address, nonce: BigInt(n) }).toLowerCase() as Address;

    const token = addressAt(nonce);
    const forwarder = addressAt(nonce + 1);
    const registry = addressAt(nonce + 2);
    const market = addressAt(nonce + 3);

    // Gas is given explicitly: on an interval-mining chain, estimating a call to a contract whose
    // deployment is still pending would fail.
    const txs: { label: string; to?: Address; data: Hex; gas: bigint }[] = [
      {
        label: 'deploy GridToken',
        data: encodeDeployData({ ...artifacts.GridToken, args: [account.address] }),
        gas: 3_000_000n,
      },
      { label: 'deploy Forwarder', data: encodeDeployData({ ...artifacts.Forwarder }), gas: 3_000_000n },
      {
        label: 'deploy SubnetRegistry',
        data: encodeDeployData({
          ...artifacts.SubnetRegistry,
          args: [token, forwarder, params.registrationCost ?? DEFAULT_REGISTRATION_COST, account.address],
        }),
        gas: 6_000_000n,
      },
      {
        label: 'deploy ComputeMarket',
        // The registry (deployed just before) names the compute subnet's validators, the market's reviewers.
        data: encodeDeployData({ ...artifacts.ComputeMarket, args: [token, forwarder, account.address, registry] }),
        gas: 6_000_000n,
      },
      ...(
        [
          [token, artifacts.GridToken.abi, ROLES.MINTER, account.address],
          [token, artifacts.GridToken.abi, ROLES.BURNER, registry],
          // BME: the market burns approved payments and mints provider rewards.
          [token, artifacts.GridToken.abi, ROLES.MINTER, market],
          [token, artifacts.GridToken.abi, ROLES.BURNER, market],
          [market, artifacts.ComputeMarket.abi, ROLES.MARKET_ADMIN, account.address],
          [market, artifacts.ComputeMarket.abi, ROLES.ORACLE, account.address],
        ] as const
      ).map(([to, abi, role, who]) => ({
        label: `grantRole on ${to}`,
        to,
        data: encodeFunctionData({ abi, functionName: 'grantRole', args: [role, who] }),
        gas: 200_000n,
      })),
      {
        label: 'setOraclePrice',
        to: market,
        data: encodeFunctionData({
          abi: artifacts.ComputeMarket.abi,
          functionName: 'setOraclePrice',
          args: [params.usdPerToken ?? DEFAULT_USD_PER_TOKEN],
        }),
        gas: 200_000n,
      },
    ];

    // The intelligence layer last: the ledger's address follows from the transactions before it.
    const ledger = addressAt(nonce + txs.length);
    txs.push(
      ...buildLedgerTxs({
        deployer: account.address,
        token,
        registry,
        ledger,
        keeper: params.keeper,
        registrationCost: params.registrationCost ?? DEFAULT_REGISTRATION_COST,
        computeSubnet: params.computeSubnet,
      }),
    );

    const hashes: Hex[] = [];
    for (const tx of txs) {
      hashes.push(await wallet.sendTransaction({ chain: null, to: tx.to ?? null, data: tx.data, gas: tx.gas, nonce: nonce++ }));
    }
    const receipts = await Promise.all(
      hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: params.timeoutMs ?? 60_000 })),
    );
    receipts.forEach((r, i) => {
      if (r.status !== 'success') throw new DeployError(`${txs[i]!.label} reverted (tx ${r.transactionHash})`);
    });

    return {
      chainId,
      genesisHash: genesis.hash,
      startBlock: Number(receipts[0]!.blockNumber),
      contracts: { token, forwarder, registry, market, ledger },
      deployer,
    };
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw new DeployError(`deploying the protocol to ${params.rpcUrl} failed: ${(err as Error).message}`, { cause: err });
  }
}
