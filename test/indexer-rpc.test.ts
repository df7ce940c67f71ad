// RPC trouble: a node that fails, hangs or goes away and comes back is retried, never fatal; a node
// that answers garbage is reported clearly. The indexer talks to the devnet through a proxy the test
// switches between behaviours.
import { type Address, createWalletClient, http, maxUint256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type Deployment, type Devnet, deployProtocol, gridTokenAbi, HARDHAT_ACCOUNT0_KEY, startDevnet, subnetRegistryAbi } from '../chain';
import {
  chainHead,
  createTestDatabase,
  indexedHeight,
  type RpcProxy,
  type RunningProcess,
  startIndexer,
  startRpcProxy,
  type TestDatabase,
  waitFor,
  waitForHead,
  writeTempDeployment,
} from './harness';

jest.setTimeout(120_000);

describe('indexer under RPC trouble', () => {
  let devnet: Devnet;
  let deployment: Deployment;
  let proxy: RpcProxy;
  let db: TestDatabase;
  let indexer: RunningProcess;

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    proxy = await startRpcProxy(devnet.rpcUrl);
    db = await createTestDatabase({ migrated: false });
    indexer = startIndexer({
      DATABASE_URL: db.url,
      RPC_URL: proxy.url,
      DEPLOYMENT_FILE: writeTempDeployment(deployment),
      INDEXER_FINALITY: '3',
    });
    await waitForHead(db.url, devnet.rpcUrl, indexer);
  });

  afterAll(async () => {
    await indexer?.stop();
    await proxy?.close();
    await devnet?.stop();
    await db?.drop();
  });

  const account = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
  async function activity(n: number): Promise<void> {
    const w = createWalletClient({ account, transport: http(devnet.rpcUrl) });
    const send = (address: Address, abi: readonly unknown[], functionName: string, args: unknown[]) =>
      w.writeContract({ address, abi, functionName, args, chain: null, account } as never);
    await send(deployment.contracts.token, gridTokenAbi, 'mint', [account.address, 10n ** 24n]);
    await send(deployment.contracts.token, gridTokenAbi, 'approve', [deployment.contracts.registry, maxUint256]);
    for (let i = 0; i < n; i++)
      await send(deployment.contracts.registry, subnetRegistryAbi, 'registerSubnet', [`s${Date.now()}-${i}`, 100]);
  }

  for (const mode of ['fail', 'hang'] as const) {
    it(`keeps going through a node that ${mode === 'fail' ? 'answers errors' : 'stops answering'} and catches up after`, async () => {
      proxy.mode = mode;
      const before = await indexedHeight(db.url);
      await activity(3);
      await waitFor('the indexer to hit the trouble', 20_000, async () => proxy.disturbed > 2);
      await new Promise((r) => setTimeout(r, 2000));
      expect(indexer.child.exitCode).toBeNull();
      expect(await indexedHeight(db.url)).toBe(before); // nothing new got through
      proxy.mode = 'pass';
      proxy.disturbed = 0;
      await waitForHead(db.url, devnet.rpcUrl, indexer, 90_000);
      expect(await indexedHeight(db.url)).toBe(await chainHead(devnet.rpcUrl));
      expect(indexer.output()).not.toMatch(/"level":5/);
    });
  }

  it('reports a node answering garbage clearly, and recovers once it answers properly', async () => {
    proxy.mode = 'garbage';
    await activity(1);
    await waitFor('a clear report of the bad answers', 30_000, async () =>
      /indexer: the worker stopped \(code 1: .+\); restarting in \d+ s/.test(indexer.output()),
    );
    expect(indexer.child.exitCode).toBeNull();
    proxy.mode = 'pass';
    await waitForHead(db.url, devnet.rpcUrl, indexer, 90_000);
    if (process.env.SHOW_OUTPUT) console.log(indexer.output());
  });
});
