// Reorgs on a real devnet (snapshot, revert, a different branch mined past the old head): the
// index must then equal a fresh index of the canonical chain, table by table.
import { type Address, createPublicClient, createWalletClient, http, maxUint256, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  computeMarketAbi,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  startDevnet,
  subnetRegistryAbi,
} from '../chain';
import { freePort } from '../scripts/ports';
import {
  chainHead,
  createTestDatabase,
  dumpTables,
  type RunningProcess,
  startIndexer,
  type TestDatabase,
  waitFor,
  waitForHead,
  writeTempDeployment,
} from './harness';

jest.setTimeout(120_000);

const account = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);

class Actor {
  readonly wallet: WalletClient;
  readonly client: PublicClient;
  constructor(
    readonly rpcUrl: string,
    readonly d: Deployment,
  ) {
    this.wallet = createWalletClient({ account, transport: http(rpcUrl) });
    this.client = createPublicClient({ transport: http(rpcUrl) });
  }
  async send(address: Address, abi: readonly unknown[], functionName: string, args: unknown[]): Promise<void> {
    const hash = await this.wallet.writeContract({ address, abi, functionName, args, chain: null, account } as never);
    const r = await this.client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`${functionName} reverted`);
  }
  async fund(): Promise<void> {
    await this.send(this.d.contracts.token, gridTokenAbi, 'mint', [account.address, 10n ** 27n]);
    await this.send(this.d.contracts.token, gridTokenAbi, 'approve', [this.d.contracts.registry, maxUint256]);
    await this.send(this.d.contracts.token, gridTokenAbi, 'approve', [this.d.contracts.market, maxUint256]);
  }
  /** Market 1, whose epochs last one block: every closeEpoch call closes one. */
  async market(): Promise<void> {
    await this.send(this.d.contracts.market, computeMarketAbi, 'createMarket', [0, 1, 'render', 40_000_000n]);
    await this.send(this.d.contracts.market, computeMarketAbi, 'setMarketParams', [1, 600n, 1n, 10n ** 21n, 10n ** 20n]);
  }
  /** Jobs posted to market 1 (escrow in the market's epoch figures, a transfer each), then its epoch closed. */
  async jobsThenClose(works: bigint[]): Promise<void> {
    const deadline = (await this.client.getBlock()).timestamp + 86_400n;
    for (const w of works) await this.send(this.d.contracts.market, computeMarketAbi, 'postJob', [1, `0x${'cd'.repeat(32)}`, w, deadline]);
    await this.send(this.d.contracts.market, computeMarketAbi, 'closeEpoch', [1]);
  }
  /** A subnet with `neurons` neurons, each staked; one transaction (and block) per call. */
  async subnet(name: string, neurons: number, stake: bigint): Promise<void> {
    await this.send(this.d.contracts.registry, subnetRegistryAbi, 'registerSubnet', [name, 100]);
    const netuid = Number(
      await this.client.readContract({ address: this.d.contracts.registry, abi: subnetRegistryAbi, functionName: 'subnetCount' }),
    );
    for (let i = 0; i < neurons; i++) {
      const hotkey = `0x${(netuid * 1000 + i + 1).toString(16).padStart(40, '0')}` as Address;
      await this.send(this.d.contracts.registry, subnetRegistryAbi, 'registerNeuron', [netuid, hotkey]);
      await this.send(this.d.contracts.registry, subnetRegistryAbi, 'addStake', [hotkey, netuid, stake * BigInt(i + 1)]);
    }
  }
  rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    return this.client.request({ method, params } as never) as Promise<T>;
  }
  async mineTo(height: number): Promise<void> {
    // evm_mine one block at a time: hardhat_mine leaves zero parent hashes (see STACK.md).
    while ((await chainHead(this.rpcUrl)) < height) await this.rpc('evm_mine');
  }
}

describe('indexer reorgs', () => {
  let devnet: Devnet;
  let deployment: Deployment;
  let deploymentFile: string;
  let actor: Actor;
  const dbs: TestDatabase[] = [];
  const procs: RunningProcess[] = [];

  beforeEach(async () => {
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    deploymentFile = writeTempDeployment(deployment);
    actor = new Actor(devnet.rpcUrl, deployment);
    await actor.fund();
    await actor.subnet('base', 2, 10n ** 18n);
    await actor.market();
    await actor.jobsThenClose([1_000n]);
  });

  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop();
    for (const d of dbs.splice(0)) await d.drop();
    await devnet.stop();
  });

  async function index(finality: number, extra: Record<string, string> = {}): Promise<{ db: TestDatabase; indexer: RunningProcess }> {
    const db = await createTestDatabase({ migrated: false });
    dbs.push(db);
    const indexer = startIndexer({
      DATABASE_URL: db.url,
      RPC_URL: devnet.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      INDEXER_FINALITY: String(finality),
      ...extra,
    });
    procs.push(indexer);
    await waitForHead(db.url, devnet.rpcUrl, indexer);
    return { db, indexer };
  }

  async function fork(db: TestDatabase, indexer: RunningProcess): Promise<void> {
    const snapshot = await actor.rpc<string>('evm_snapshot');
    // Each branch mints and burns (registration), posts jobs and closes market epochs of its own.
    await actor.subnet('fork-a', 2, 3n * 10n ** 18n);
    await actor.jobsThenClose([2_000n, 700n]);
    const oldHead = await waitForHead(db.url, devnet.rpcUrl, indexer);
    const before = await dumpTables(db.url);
    expect(before.subnet.map((s: any) => s.name)).toContain('fork-a');
    expect(before.market_epoch.map((e: any) => [e.id, e.jobs_posted])).toEqual([
      ['1-0', 1],
      ['1-1', 2],
      ['1-2', 0],
    ]);
    expect(await actor.rpc<boolean>('evm_revert', [snapshot])).toBe(true);
    await actor.subnet('fork-b', 1, 5n * 10n ** 18n);
    await actor.jobsThenClose([3_000n]);
    await actor.jobsThenClose([]);
    await actor.mineTo(oldHead + 2);
  }

  it('rolls back a reorg within the finality window and re-applies the new branch', async () => {
    const metricsPort = await freePort();
    const { db, indexer } = await index(20, { INDEXER_METRICS_PORT: String(metricsPort), INDEXER_PROGRESS_MS: '200' });
    await fork(db, indexer);
    const head = await waitForHead(db.url, devnet.rpcUrl, indexer);
    const metrics = await waitFor('the metrics to show the reorg and the head', 10_000, async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return (
        /gridmind_indexer_reorgs_total\{kind="hot"\} [1-9]/.test(text) &&
        new RegExp(`gridmind_indexer_height ${head}\\b`).test(text) &&
        text
      );
    });
    expect(metrics).toMatch(/gridmind_indexer_events_total [1-9]/);
    expect(metrics).toMatch(/gridmind_indexer_batch_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/gridmind_indexer_lag_blocks 0\b/);
    const afterReorg = await dumpTables(db.url);
    const names = afterReorg.subnet.map((s: any) => s.name);
    expect(names).toContain('fork-b');
    expect(names).not.toContain('fork-a');
    // fork-b's epochs: one job, then none, then the one in progress; each market epoch spans a supply epoch.
    expect(afterReorg.market_epoch.map((e: any) => [e.id, e.jobs_posted, e.closed])).toEqual([
      ['1-0', 1, true],
      ['1-1', 1, true],
      ['1-2', 0, true],
      ['1-3', 0, false],
    ]);
    expect(afterReorg.token_supply_epoch.map((e: any) => [e.id, e.closed])).toEqual([
      ['1-0', true],
      ['1-1', true],
      ['1-2', true],
      ['1-3', false],
    ]);

    const fresh = await index(20);
    expect(afterReorg).toEqual(await dumpTables(fresh.db.url));
  });

  it('recovers from a reorg deeper than the finality window by re-indexing, with one log line', async () => {
    const { db, indexer } = await index(2);
    await fork(db, indexer);
    await waitForHead(db.url, devnet.rpcUrl, indexer);
    const afterReorg = await dumpTables(db.url);
    const names = afterReorg.subnet.map((s: any) => s.name);
    expect(names).toContain('fork-b');
    expect(names).not.toContain('fork-a');
    const lines = indexer.output().split('\n');
    expect(lines.filter((l) => /a reorg deeper than INDEXER_FINALITY=2/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /"level":[56]/.test(l))).toEqual([]); // no fatal noise from the worker
    expect(indexer.child.exitCode).toBeNull(); // still following

    const fresh = await index(2);
    expect(afterReorg).toEqual(await dumpTables(fresh.db.url));
  });
});
