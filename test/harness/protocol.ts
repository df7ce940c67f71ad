/**
 * Helpers for tests that drive the contracts on a devnet directly: clients, accounts derived from
 * labels, funding, mining, and sending with a success check.
 */
import {
  type Account,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  type TransactionReceipt,
  toHex,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';

export const ETHER = 10n ** 18n;

/** A reproducible (and worthless) account for a label. */
export function labelAccount(label: string) {
  return privateKeyToAccount(keccak256(toHex(`gridmind-test:${label}`)));
}

export interface ProtocolClients {
  pub: PublicClient;
  wallet(account: Account): WalletClient<ReturnType<typeof http>, typeof hardhat, Account>;
  /** Awaits a transaction's receipt and throws when it reverted. */
  send(hash: Promise<Hex>): Promise<TransactionReceipt>;
  /** Mines `n` empty blocks (evm_mine: hardhat_mine's blocks break indexers, see STACK.md). */
  mine(n: number): Promise<void>;
  /** Gives each address 1000 ETH for gas. */
  fund(addresses: readonly Address[]): Promise<void>;
  head(): Promise<number>;
}

export function protocolClients(rpcUrl: string): ProtocolClients {
  const transport = http(rpcUrl, { retryCount: 0, batch: { batchSize: 512 } });
  const pub = createPublicClient({ transport, pollingInterval: 20 }) as PublicClient;
  const rpc = (method: string, params: unknown[]) => pub.request({ method: method as 'eth_chainId', params: params as never });
  return {
    pub,
    wallet: (account) => createWalletClient({ account, chain: hardhat, transport: http(rpcUrl, { retryCount: 0 }) }),
    async send(hash) {
      const receipt = await pub.waitForTransactionReceipt({ hash: await hash, pollingInterval: 20 });
      if (receipt.status !== 'success') throw new Error(`tx ${receipt.transactionHash} reverted`);
      return receipt;
    },
    async mine(n) {
      for (let i = 0; i < n; i++) await rpc('evm_mine', []);
    },
    async fund(addresses) {
      await Promise.all(addresses.map((a) => rpc('hardhat_setBalance', [a, toHex(1000n * ETHER)])));
    },
    head: async () => Number(await pub.getBlockNumber({ cacheTime: 0 })),
  };
}
