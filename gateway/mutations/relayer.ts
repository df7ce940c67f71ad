// The gateway's relayer: one key that pays the gas of every relayed request. Sends are serialised
// through one queue that owns the key's nonce (a local counter, read from the chain once and again
// after any send error), so parallel mutations never sign two transactions with the same nonce;
// receipts are awaited in parallel.
import { type Address, createPublicClient, createWalletClient, type Hex, http, type PublicClient, type TransactionReceipt } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/**
 * Hardhat's well-known account #5, the relayer of the devnet that `npm start` runs (#0 deploys and
 * runs the simulator, #9 is the keeper; tests use #1 and #2). Public knowledge: for devnets only.
 */
export const DEVNET_RELAYER_KEY: Hex = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';

export interface RelayerOptions {
  rpcUrl: string;
  privateKey: Hex;
  /** How long to wait for a receipt; 60 s by default. */
  receiptTimeoutMs?: number;
  /** Receipt polling; 50 ms by default (the devnet mines in milliseconds or on a 1 s interval). */
  pollingIntervalMs?: number;
}

export interface Relayer {
  address: Address;
  publicClient: PublicClient;
  /** Signs and sends one transaction with the next nonce; resolves with its hash once the node accepted it. */
  send(tx: { to: Address; data: Hex; gas: bigint }): Promise<Hex>;
  wait(hash: Hex): Promise<TransactionReceipt>;
  /** Transactions sent by this process so far. */
  sent(): number;
}

const NONCE_ERROR = /nonce|already known|replacement transaction/i;

export function createRelayer(opts: RelayerOptions): Relayer {
  const account = privateKeyToAccount(opts.privateKey);
  const transport = http(opts.rpcUrl, { retryCount: 0 });
  const pollingInterval = opts.pollingIntervalMs ?? 50;
  const publicClient = createPublicClient({ transport, pollingInterval }) as PublicClient;
  const wallet = createWalletClient({ account, transport });
  let chainId: Promise<number> | undefined;
  let nextNonce: number | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let count = 0;

  const sendNow = async (tx: { to: Address; data: Hex; gas: bigint }): Promise<Hex> => {
    chainId ??= publicClient.getChainId();
    const id = await chainId;
    for (let attempt = 0; ; attempt++) {
      nextNonce ??= await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
      const nonce = nextNonce;
      try {
        const hash = await wallet.sendTransaction({
          chain: { id, name: 'relay', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [] } } },
          to: tx.to,
          data: tx.data,
          gas: tx.gas,
          nonce,
        });
        nextNonce = nonce + 1;
        count++;
        return hash;
      } catch (err) {
        // Someone else used this key, or a send was lost: read the nonce again, and retry once.
        nextNonce = undefined;
        if (attempt === 0 && NONCE_ERROR.test(String((err as Error).message))) continue;
        throw err;
      }
    }
  };

  return {
    address: account.address.toLowerCase() as Address,
    publicClient,
    send(tx) {
      const result = queue.then(() => sendNow(tx));
      queue = result.catch(() => undefined);
      return result;
    },
    wait: (hash) => publicClient.waitForTransactionReceipt({ hash, pollingInterval, timeout: opts.receiptTimeoutMs ?? 60_000 }),
    sent: () => count,
  };
}
