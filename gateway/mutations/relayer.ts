// The gateway's relayer: one key that pays the gas of every relayed request. Sends are serialised
// through one queue that owns the key's nonce (a local counter, read from the chain once and again
// after any send error), so parallel mutations never sign two transactions with the same nonce;
// receipts are awaited in parallel. Fees are read outside the queue (cached for a second), so the
// queue's critical section is one signature and one eth_sendRawTransaction. One watcher polls the
// head for every waiting transaction and asks for their receipts only when it moves (a receipt
// poller per request would put N requests per interval on a node that serves one at a time).
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
  const transport = http(opts.rpcUrl, { retryCount: 0, batch: { batchSize: 256 } });
  const pollingInterval = opts.pollingIntervalMs ?? 50;
  const publicClient = createPublicClient({ transport, pollingInterval }) as PublicClient;
  const wallet = createWalletClient({ account, transport });
  let chainId: Promise<number> | undefined;
  let fees: { at: number; value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> } | undefined;
  /** EIP-1559 fees with room for the base fee to double (it rises at most 12.5% a block). */
  const feesNow = () => {
    if (!fees || Date.now() - fees.at > 1000) {
      const value = publicClient.estimateFeesPerGas().then(({ maxFeePerGas, maxPriorityFeePerGas }) => ({
        maxFeePerGas: maxFeePerGas * 2n,
        maxPriorityFeePerGas,
      }));
      value.catch(() => {
        fees = undefined;
      });
      fees = { at: Date.now(), value };
    }
    return fees.value;
  };
  const receiptTimeoutMs = opts.receiptTimeoutMs ?? 60_000;
  interface Waiter {
    resolve(r: TransactionReceipt): void;
    reject(err: Error): void;
    deadline: number;
    /** The head at which its receipt was last missing; undefined until first asked. */
    checkedAt?: bigint;
  }
  const waiters = new Map<Hex, Waiter[]>();
  let watching = false;
  const settle = (hash: Hex, outcome: { receipt: TransactionReceipt } | { error: Error }) => {
    for (const w of waiters.get(hash) ?? []) 'receipt' in outcome ? w.resolve(outcome.receipt) : w.reject(outcome.error);
    waiters.delete(hash);
  };
  const watch = async () => {
    if (watching) return;
    watching = true;
    try {
      while (waiters.size > 0) {
        await new Promise((r) => setTimeout(r, pollingInterval));
        const head = await publicClient.getBlockNumber({ cacheTime: 0 }).catch(() => undefined);
        const now = Date.now();
        const due = [...waiters].filter(([, ws]) => head !== undefined && (ws[0]!.checkedAt === undefined || head > ws[0]!.checkedAt));
        const receipts = await Promise.all(due.map(([hash]) => publicClient.getTransactionReceipt({ hash }).catch(() => null)));
        due.forEach(([hash, ws], i) => {
          const receipt = receipts[i];
          if (receipt) settle(hash, { receipt });
          else for (const w of ws) w.checkedAt = head;
        });
        for (const [hash, ws] of waiters) {
          if (ws[0]!.deadline < now) settle(hash, { error: new Error(`no receipt for ${hash} within ${receiptTimeoutMs} ms`) });
        }
      }
    } finally {
      watching = false;
    }
  };
  let nextNonce: number | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let count = 0;

  const sendNow = async (
    tx: { to: Address; data: Hex; gas: bigint },
    fee: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
    id: number,
  ): Promise<Hex> => {
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
          type: 'eip1559',
          ...fee,
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
    async send(tx) {
      chainId ??= publicClient.getChainId();
      chainId.catch(() => {
        chainId = undefined;
      });
      const [id, fee] = await Promise.all([chainId, feesNow()]);
      const result = queue.then(() => sendNow(tx, fee, id));
      queue = result.catch(() => undefined);
      return result;
    },
    wait(hash) {
      return new Promise<TransactionReceipt>((resolve, reject) => {
        waiters.set(hash, [...(waiters.get(hash) ?? []), { resolve, reject, deadline: Date.now() + receiptTimeoutMs }]);
        void watch();
      });
    },
    sent: () => count,
  };
}
