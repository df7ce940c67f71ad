/**
 * Test harness for the compute market on a fresh devnet: keyed actors funded with ETH and GRID,
 * one-line transactions that return decoded market events, and revert checks by error name.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  maxUint256,
  type PublicClient,
  parseEventLogs,
  toHex,
} from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import {
  computeMarketAbi,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  startDevnet,
} from '../../chain';

export type MarketEvent = ReturnType<typeof parseEventLogs<typeof computeMarketAbi>>[number];

export interface MarketHarness {
  devnet: Devnet;
  d: Deployment;
  client: PublicClient;
  admin: PrivateKeyAccount;
  /** A deterministic funded account per label (ETH for gas; GRID if `grid` was given). */
  actor(label: string, grid?: bigint): Promise<PrivateKeyAccount>;
  /** Sends a market call from `from` and returns its decoded market events; throws if it reverts. */
  tx(from: PrivateKeyAccount, functionName: string, args: readonly unknown[], gas?: bigint): Promise<MarketEvent[]>;
  /** Asserts that the call would revert with the named error. */
  fails(from: PrivateKeyAccount, functionName: string, args: readonly unknown[], error: string): Promise<void>;
  read<T>(functionName: string, args?: readonly unknown[]): Promise<T>;
  balance(who: Address): Promise<bigint>;
  supply(): Promise<bigint>;
  /** Mines n empty blocks (evm_mine: hardhat_mine leaves parent hashes zeroed). */
  mine(n: number): Promise<void>;
  increaseTime(seconds: number): Promise<void>;
  blockNumber(): Promise<bigint>;
  timestamp(): Promise<bigint>;
  stop(): Promise<void>;
}

export async function createMarketHarness(): Promise<MarketHarness> {
  const devnet = await startDevnet({ port: 0 });
  const d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  const transport = http(devnet.rpcUrl, { retryCount: 0 });
  const client = createPublicClient({ transport, pollingInterval: 20 }) as PublicClient;
  const admin = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
  const market = { address: d.contracts.market, abi: computeMarketAbi } as const;
  const rpc = (method: string, params: unknown[]) => client.request({ method: method as 'eth_chainId', params: params as never });

  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`tx ${hash} reverted`);
    return r;
  };
  const wallet = (a: PrivateKeyAccount) => createWalletClient({ account: a, chain: hardhat, transport });

  const actor = async (label: string, grid?: bigint) => {
    const a = privateKeyToAccount(keccak256(toHex(`gridmind-test:${label}`)));
    await rpc('hardhat_setBalance', [a.address, toHex(10n ** 22n)]);
    if (grid !== undefined) {
      await wait(
        await wallet(admin).writeContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'mint', args: [a.address, grid] }),
      );
      await wait(
        await wallet(a).writeContract({
          address: d.contracts.token,
          abi: gridTokenAbi,
          functionName: 'approve',
          args: [d.contracts.market, maxUint256],
        }),
      );
    }
    return a;
  };

  return {
    devnet,
    d,
    client,
    admin,
    actor,
    async tx(from, functionName, args, gas = 3_000_000n) {
      const hash = await wallet(from).writeContract({ ...market, functionName, args, gas } as never);
      const r = await wait(hash);
      return parseEventLogs({ abi: computeMarketAbi, logs: r.logs.filter((l) => l.address.toLowerCase() === d.contracts.market) });
    },
    async fails(from, functionName, args, error) {
      // 'pending': the block a transaction sent now would be mined in ('latest' runs one block early).
      await expect(client.simulateContract({ ...market, account: from, functionName, args, blockTag: 'pending' } as never)).rejects.toThrow(
        new RegExp(`\\b${error}\\b`),
      );
    },
    read: <T>(functionName: string, args: readonly unknown[] = []) =>
      client.readContract({ ...market, functionName, args } as never) as Promise<T>,
    balance: (who) => client.readContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'balanceOf', args: [who] }),
    supply: () => client.readContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'totalSupply' }),
    async mine(n) {
      for (let i = 0; i < n; i++) await rpc('evm_mine', []);
    },
    async increaseTime(seconds) {
      await rpc('evm_increaseTime', [seconds]);
      await rpc('evm_mine', []);
    },
    blockNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    timestamp: async () => (await client.getBlock({ blockTag: 'latest' })).timestamp,
    stop: () => devnet.stop(),
  };
}

/** The args of the only event of that name in `events`. */
export function only<N extends MarketEvent['eventName']>(events: MarketEvent[], name: N): Extract<MarketEvent, { eventName: N }>['args'] {
  const hits = events.filter((e) => e.eventName === name);
  if (hits.length !== 1) throw new Error(`expected one ${name}, got ${hits.length}: ${events.map((e) => e.eventName).join(', ')}`);
  return hits[0]!.args as never;
}
