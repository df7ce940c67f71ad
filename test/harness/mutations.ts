// A devnet with the protocol deployed, a market, the real indexer following it into a fresh
// database and a gateway that relays signed mutations: what the mutation tests act on. Wallets that
// act through the gateway hold no ETH, so every one of their actions is visibly gasless.
import fs from 'node:fs';
import path from 'node:path';
import type { FormattedExecutionResult } from 'graphql';
import { type Address, type Hex, maxUint256 } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import {
  computeMarketAbi,
  createKeeper,
  type Deployment,
  type Devnet,
  deployProtocol,
  forwarderAbi,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  type Keeper,
  startDevnet,
  subnetRegistryAbi,
} from '../../chain';
import { createGateway, DEVNET_RELAYER_KEY, type Gateway, type GatewayOptions } from '../../gateway';
import { createTestDatabase, type TestDatabase } from './db';
import { indexedHeight, startIndexer, writeTempDeployment } from './indexing';
import type { RunningProcess } from './processes';
import { waitFor } from './processes';
import { ETHER, labelAccount, type ProtocolClients, protocolClients } from './protocol';

export const RENDER_MARKET = 1;
/** $1 per work unit (8 decimals): a job of 1000 thousandths costs 4 GRID at $0.25. */
export const USD_PER_UNIT = 100_000_000n;

export interface MutationFixture {
  devnet: Devnet;
  d: Deployment;
  c: ProtocolClients;
  db: TestDatabase;
  indexer: RunningProcess;
  gateway: Gateway;
  keeper: Keeper;
  admin: PrivateKeyAccount;
  deploymentFile: string;
  /** Runs an operation in-process as if from `clientIp`. */
  exec(query: string, variables?: Record<string, unknown>, clientIp?: string, gateway?: Gateway): Promise<FormattedExecutionResult>;
  /** Waits until the index holds block `n` (the chain head by default). */
  indexed(n?: number): Promise<void>;
  /** Admin transactions that set state up (not through the gateway). */
  mint(to: Address, amount: bigint): Promise<void>;
  forwarderNonce(who: Address): Promise<bigint>;
  relayerTxCount(): Promise<number>;
  read<T>(address: Address, abi: readonly unknown[], functionName: string, args?: readonly unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export async function createMutationFixture(gatewayOptions: Partial<GatewayOptions> = {}): Promise<MutationFixture> {
  const devnet = await startDevnet({ port: 0 });
  const d = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  const c = protocolClients(devnet.rpcUrl);
  const admin = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
  const aw = c.wallet(admin);
  await c.send(
    aw.writeContract({
      address: d.contracts.market,
      abi: computeMarketAbi,
      functionName: 'createMarket',
      args: [0, 1, 'render', USD_PER_UNIT],
    }),
  );
  const deploymentFile = writeTempDeployment(d);
  const db = await createTestDatabase({ migrated: false });
  const indexer = startIndexer({ DATABASE_URL: db.url, RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: deploymentFile });
  const gateway = await createGateway({
    databaseUrl: db.url,
    rpcUrl: devnet.rpcUrl,
    deployment: d,
    relayerKey: DEVNET_RELAYER_KEY,
    // Generous: the limits have their own gateway in the tests.
    mutationRateLimits: { perAddressPerMinute: 6000, perAddressBurst: 1000, perIpPerMinute: 6000, perIpBurst: 1000 },
    ...gatewayOptions,
  });
  const relayer = privateKeyToAccount(DEVNET_RELAYER_KEY).address;
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
    c.pub.readContract({ address, abi, functionName, args } as never) as Promise<T>;

  const fixture: MutationFixture = {
    devnet,
    d,
    c,
    db,
    indexer,
    gateway,
    keeper: createKeeper({ rpcUrl: devnet.rpcUrl, deployment: d }),
    admin,
    deploymentFile,
    async exec(query, variables, clientIp = '10.0.0.1', gw = gateway) {
      const res = await gw.server.executeOperation({ query, variables }, { contextValue: gw.createContext(clientIp) });
      if (res.body.kind !== 'single') throw new Error('unexpected incremental response');
      return res.body.singleResult as FormattedExecutionResult;
    },
    async indexed(n) {
      const target = n ?? (await c.head());
      await waitFor(`the index to reach block ${target}`, 60_000, async () => {
        if (indexer.child.exitCode !== null) throw new Error(`indexer exited:\n${indexer.output()}`);
        return (await indexedHeight(db.url)) >= target;
      });
    },
    async mint(to, amount) {
      await c.send(aw.writeContract({ address: d.contracts.token, abi: gridTokenAbi, functionName: 'mint', args: [to, amount] }));
    },
    forwarderNonce: (who) => read<bigint>(d.contracts.forwarder, forwarderAbi, 'nonces', [who]),
    relayerTxCount: () => c.pub.getTransactionCount({ address: relayer, blockTag: 'pending' }),
    read,
    async stop() {
      await gateway.close();
      await indexer.stop();
      await devnet.stop();
      await db.drop();
      fs.rmSync(path.dirname(deploymentFile), { recursive: true, force: true });
    },
  };
  return fixture;
}

/**
 * A subnet of the admin's with one staked validator hotkey that holds a permit from a posted epoch
 * (the keeper ran), for setWeights and stake. The hotkey and its coldkey are returned; the coldkey
 * registered it directly (with ETH), the hotkey itself never holds ETH.
 */
export async function createValidatorSubnet(
  f: MutationFixture,
  label: string,
): Promise<{ netuid: number; hotkey: PrivateKeyAccount; coldkey: PrivateKeyAccount }> {
  const { c, d, admin } = f;
  const registry = { address: d.contracts.registry, abi: subnetRegistryAbi } as const;
  const token = { address: d.contracts.token, abi: gridTokenAbi } as const;
  const coldkey = labelAccount(`${label}-coldkey`);
  const hotkey = labelAccount(`${label}-hotkey`);
  await c.fund([coldkey.address]);
  await f.mint(admin.address, 1_000n * ETHER);
  await f.mint(coldkey.address, 1_000n * ETHER);
  await c.send(c.wallet(admin).writeContract({ ...token, functionName: 'approve', args: [d.contracts.registry, maxUint256] }));
  const before = await f.read<number>(d.contracts.registry, subnetRegistryAbi, 'subnetCount');
  await c.send(c.wallet(admin).writeContract({ ...registry, functionName: 'registerSubnet', args: [label, 10] }));
  const netuid = before + 1;
  const cw = c.wallet(coldkey);
  await c.send(cw.writeContract({ ...token, functionName: 'approve', args: [d.contracts.registry, maxUint256] }));
  await c.send(cw.writeContract({ ...registry, functionName: 'registerNeuron', args: [netuid, hotkey.address] }));
  await c.send(cw.writeContract({ ...registry, functionName: 'addStake', args: [hotkey.address, netuid, 10n * ETHER] }));
  // The default weights rate limit (100 blocks since registration) and the subnet's first epoch.
  await c.mine(110);
  await f.keeper.tick();
  const permit = await f.read<boolean>(d.contracts.registry, subnetRegistryAbi, 'hasValidatorPermit', [netuid, 0]);
  if (!permit) throw new Error(`the keeper's epoch gave uid 0 of subnet ${netuid} no permit`);
  return { netuid, hotkey, coldkey };
}

/** Signs a query's typed data (as a wallet would: the JSON as it came) and returns the signature. */
export function signTypedDataJson(account: PrivateKeyAccount, typedData: Record<string, unknown>): Promise<Hex> {
  return account.signTypedData(typedData as Parameters<PrivateKeyAccount['signTypedData']>[0]);
}
