// End to end: the simulator drives a real devnet, the real indexer process follows it into a real
// Postgres, and every count and stake total that GraphQL answers equals what the contracts' own view
// functions return on chain.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import { type Address, createPublicClient, http, type PublicClient } from 'viem';
import WebSocket from 'ws';
import {
  computeMarketAbi,
  createSimulator,
  type Deployment,
  type Devnet,
  deployProtocol,
  epochLedgerAbi,
  gridTokenAbi,
  type Simulator,
  startDevnet,
  subnetRegistryAbi,
  writeDeployment,
} from '../chain';
import { createGateway, type Gateway } from '../gateway';
import { createInferenceService } from '../inference';
import { createTestDatabase, type RunningProcess, runLib, type TestDatabase, waitFor } from './harness';

jest.setTimeout(120_000);

const SEED = 7;
const ROUNDS = 12;

/** Block height the index has reached, hot (unfinalized) blocks included. */
async function indexedHeight(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      `select greatest((select max(height) from squid_processor.hot_block), (select height from squid_processor.status where id = 0)) as h`,
    );
    return r.rows[0]?.h ?? -1;
  } finally {
    await c.end();
  }
}

async function indexToHead(db: TestDatabase, client: PublicClient, indexer: RunningProcess): Promise<number> {
  // cacheTime 0: viem otherwise answers from a cache up to 4 s old.
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  await waitFor(`the index to reach block ${head}`, 60_000, async () => {
    if (indexer.child.exitCode !== null) throw new Error(`indexer exited:\n${indexer.output()}`);
    return (await indexedHeight(db.url).catch(() => -1)) >= head;
  });
  return head;
}

describe('simulator → devnet → indexer → Postgres → gateway', () => {
  let db: TestDatabase;
  let devnet: Devnet;
  let deployment: Deployment;
  let client: PublicClient;
  let sim: Simulator;
  let indexer: RunningProcess;
  let gateway: Gateway;
  let inference: Awaited<ReturnType<typeof createInferenceService>>;
  let tmp: string;
  const env = () => ({
    DATABASE_URL: db.url,
    RPC_URL: devnet.rpcUrl,
    DEPLOYMENT_FILE: path.join(tmp, 'deployment.json'),
    INDEXER_FINALITY: '5',
    INDEXER_METRICS_PORT: '0',
  });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-e2e-'));
    db = await createTestDatabase({ migrated: false });
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    writeDeployment(path.join(tmp, 'deployment.json'), deployment);
    client = createPublicClient({ transport: http(devnet.rpcUrl) });
    sim = createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: SEED, preset: 'small' });
    await sim.run({ rounds: ROUNDS });
    indexer = runLib('indexer/main.js', env());
    inference = await createInferenceService({ databaseUrl: db.url });
    const { url: inferenceUrl } = await inference.listen(0, '127.0.0.1');
    gateway = await createGateway({ databaseUrl: db.url, rpcUrl: devnet.rpcUrl, inferenceUrl });
  });

  afterAll(async () => {
    await indexer?.stop();
    await gateway?.close();
    await inference?.close();
    await devnet?.stop();
    await db?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    client.readContract({ address, abi, functionName, args } as never) as Promise<T>;

  it('answers the README query with what the contracts say', async () => {
    const head = await indexToHead(db, client, indexer);
    const res = await gateway.execute(`{
      _meta { block chainHead lag }
      subnets(first: 1000) { totalCount items { netuid name neuronCount totalStake } }
      markets { totalCount }
      providers(first: 1000) { totalCount items { address score } }
      jobs { totalCount }
    }`);
    expect(res.errors).toBeUndefined();
    const data = res.data as any;
    expect(data._meta.block).toBeGreaterThanOrEqual(head);
    expect(data._meta.chainHead).toBeGreaterThanOrEqual(head);

    const { registry, market } = deployment.contracts;
    const subnetCount = await read<number>(registry, subnetRegistryAbi, 'subnetCount');
    expect(subnetCount).toBeGreaterThan(0);
    expect(data.subnets.totalCount).toBe(subnetCount);
    for (const s of data.subnets.items) {
      expect(s.neuronCount).toBe(await read<number>(registry, subnetRegistryAbi, 'neuronCount', [s.netuid]));
      expect(s.totalStake).toBe((await read<bigint>(registry, subnetRegistryAbi, 'subnetStake', [s.netuid])).toString());
    }
    const total = data.subnets.items.reduce((acc: bigint, s: any) => acc + BigInt(s.totalStake), 0n);
    expect(total).toBe(await read<bigint>(registry, subnetRegistryAbi, 'totalStake'));
    expect(total).toBeGreaterThan(0n);

    expect(data.markets.totalCount).toBe(await read<number>(market, computeMarketAbi, 'marketCount'));
    expect(data.providers.totalCount).toBe(await read<number>(market, computeMarketAbi, 'providerCount'));
    expect(BigInt(data.jobs.totalCount)).toBe(await read<bigint>(market, computeMarketAbi, 'jobCount'));
    expect(data.jobs.totalCount).toBeGreaterThan(0);
    for (const p of data.providers.items) {
      expect(p.score).toBeGreaterThanOrEqual(0);
      expect(p.score).toBeLessThanOrEqual(1);
    }
  });

  it('agrees with the chain on every stake position and every job state', async () => {
    await indexToHead(db, client, indexer);
    const { registry, market } = deployment.contracts;
    const res = await gateway.execute(`{ stakePositions(first: 1000) { totalCount items { coldkey hotkey netuid amount } } }`);
    expect(res.errors).toBeUndefined();
    const positions = (res.data as any).stakePositions;
    expect(positions.totalCount).toBeGreaterThan(0);
    for (const p of positions.items) {
      expect(p.amount).toBe((await read<bigint>(registry, subnetRegistryAbi, 'stakeOf', [p.coldkey, p.hotkey, p.netuid])).toString());
    }
    // JobState on chain: 1 Posted, 2 Claimed, 3 Completed.
    for (const [state, onChain] of [
      ['POSTED', 1],
      ['CLAIMED', 2],
      ['COMPLETED', 3],
    ] as const) {
      const r = await gateway.execute(`query($s: JobState!) { jobs(where: { state: $s }) { totalCount } }`, { s: state });
      expect(r.errors).toBeUndefined();
      expect(BigInt((r.data as any).jobs.totalCount)).toBe(await read<bigint>(market, computeMarketAbi, 'jobsInState', [onChain]));
    }
  });

  it("gives every subnet's hyperparameters and every market's terms and open jobs as the contracts hold them", async () => {
    await indexToHead(db, client, indexer);
    const { registry, market } = deployment.contracts;
    const res = await gateway.execute(`{
      subnets(first: 1000) { items { netuid owner name tempo maxUids maxAllowedValidators kappa bondsMovingAverage bondsPenalty
        yuma3 liquidAlpha alphaLow alphaHigh alphaSigmoidSteepness activityCutoff immunityPeriod weightsRateLimit stakeThreshold
        epochCount lastEpochEmission epochs(first: 1, orderBy: epoch, orderDirection: DESC) { items { emission } } } }
      markets(first: 1000) { items { id marketId kind tier name usdPerUnit minVramGb reviewWindow epochBlocks workEmission
        availabilityEmission openJobCount } } }`);
    expect(res.errors).toBeUndefined();
    const data = res.data as any;
    const perBlock = await read<bigint>(deployment.contracts.ledger, epochLedgerAbi, 'EMISSION_PER_BLOCK');
    for (const s of data.subnets.items) {
      const h = await read<Record<string, unknown>>(registry, subnetRegistryAbi, 'getHyperparameters', [s.netuid]);
      const sub = await read<{ owner: string; name: string }>(registry, subnetRegistryAbi, 'getSubnet', [s.netuid]);
      expect({ owner: s.owner, name: s.name }).toEqual({ owner: sub.owner.toLowerCase(), name: sub.name });
      expect(Object.keys(h)).toHaveLength(15);
      // Emission per epoch: what the newest epoch minted, which the ledger fixes at tempo x EMISSION_PER_BLOCK.
      if (s.epochCount === 0) expect(s.lastEpochEmission).toBeNull();
      else {
        expect(s.lastEpochEmission).toBe(s.epochs.items[0].emission);
        expect(BigInt(s.lastEpochEmission)).toBe(BigInt(s.tempo) * perBlock);
      }
      for (const [field, value] of Object.entries(h)) {
        // uint64/uint256 come back as bigint and are BigInt strings in the API; the rest are numbers and booleans.
        expect([field, s[field]]).toEqual([field, typeof value === 'bigint' ? value.toString() : value]);
      }
    }
    const KINDS = ['RENDER', 'INFERENCE', 'TRAINING'];
    let open = 0;
    for (const m of data.markets.items) {
      const onChain = await read<Record<string, any>>(market, computeMarketAbi, 'getMarket', [m.marketId]);
      expect(m).toMatchObject({
        kind: KINDS[Number(onChain.kind)],
        tier: Number(onChain.tier),
        name: onChain.name,
        usdPerUnit: onChain.usdPerUnit.toString(),
        minVramGb: Number(onChain.minVramGb),
        reviewWindow: onChain.reviewWindow.toString(),
        epochBlocks: onChain.epochBlocks.toString(),
        workEmission: onChain.workEmission.toString(),
        availabilityEmission: onChain.availabilityEmission.toString(),
      });
      // The index-time counter against the job rows themselves.
      const posted = await gateway.execute(`query($m: ID!) { jobs(where: { market: $m, state: POSTED }) { totalCount } }`, { m: m.id });
      expect(m.openJobCount).toBe((posted.data as any).jobs.totalCount);
      open += m.openJobCount;
    }
    expect(open).toBeGreaterThan(0);
    expect(BigInt(open)).toBe(await read<bigint>(market, computeMarketAbi, 'jobsInState', [1]));
  });

  it('keeps every token balance and the supply equal to the token contract', async () => {
    await indexToHead(db, client, indexer);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { token } = deployment.contracts;
      const accounts = (await c.query('select id, balance from account')).rows;
      expect(accounts.length).toBeGreaterThan(5);
      for (const a of accounts) expect(a.balance).toBe((await read<bigint>(token, gridTokenAbi, 'balanceOf', [a.id])).toString());
      const [latest] = (await c.query('select supply from token_supply_day order by day desc limit 1')).rows;
      expect(latest.supply).toBe((await read<bigint>(token, gridTokenAbi, 'totalSupply')).toString());
      // Every log of the protocol's contracts is in chain_event, decoded.
      const logs = await client.getLogs({ address: Object.values(deployment.contracts), fromBlock: 0n, toBlock: 'latest' });
      const indexed = (await c.query('select count(*)::int as n from chain_event')).rows[0].n;
      expect(indexed).toBe(logs.length);
    } finally {
      await c.end();
    }
  });

  it("feeds the gateway's subscriptions through the indexer's NOTIFY: newBlock for batches without changes too, jobUpdated for every job changed", async () => {
    const start = await indexToHead(db, client, indexer);
    // A replica of its own: the one above has served in-process (Apollo then refuses to listen).
    const live = await createGateway({ databaseUrl: db.url });
    const { url } = await live.listen(0, '127.0.0.1');
    await live.changesReady();
    const ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const blocks: number[] = [];
    const jobs = new Map<number, string>();
    const failures: unknown[] = [];
    const sink = <T>(next: (data: T) => void) => ({
      next: (r: { data?: unknown; errors?: unknown }) => (r.errors ? failures.push(r.errors) : next(r.data as T)),
      error: (e: unknown) => void failures.push(e),
      complete: () => {},
    });
    const stops = [
      ws.subscribe(
        { query: 'subscription { newBlock { number } }' },
        sink<{ newBlock: { number: number } }>((d) => void blocks.push(d.newBlock.number)),
      ),
      ws.subscribe(
        { query: 'subscription { jobUpdated { jobId state } }' },
        sink<{ jobUpdated: { jobId: number; state: string } }>((d) => void jobs.set(d.jobUpdated.jobId, d.jobUpdated.state)),
      ),
    ];
    try {
      await waitFor('both subscriptions', 10_000, async () => live.stats().subscriptions === 2);
      // Blocks without a single log: the index moves on, and so must newBlock.
      for (let i = 0; i < 3; i++) await client.request({ method: 'evm_mine' as never, params: [] as never });
      const empty = await indexToHead(db, client, indexer);
      await waitFor(`newBlock to reach the empty block ${empty}`, 10_000, async () => (blocks.at(-1) ?? -1) >= empty);
      expect(blocks[0]).toBeGreaterThan(start);
      expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
      expect(jobs.size).toBe(0);

      await sim.run({ rounds: 2 });
      const head = await indexToHead(db, client, indexer);
      await waitFor(`newBlock to reach ${head}`, 10_000, async () => (blocks.at(-1) ?? -1) >= head);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        const changed = (
          await c.query<{ job_id: number; state: string }>('select job_id, state from job where updated_at_block > $1 order by job_id', [
            empty,
          ])
        ).rows;
        expect(changed.length).toBeGreaterThan(0);
        await waitFor('every changed job', 10_000, async () => changed.every((j) => jobs.get(j.job_id) === j.state));
        expect([...jobs.keys()].sort((a, b) => a - b)).toEqual(changed.map((j) => j.job_id));
      } finally {
        await c.end();
      }
      expect(failures).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      await ws.dispose();
      await live.close();
    }
  });

  it('follows new blocks, and on restart resumes without losing or doubling rows', async () => {
    await sim.run({ rounds: 3 });
    await indexToHead(db, client, indexer);
    const before = await tableCounts(db.url);
    expect(await indexer.stop()).toBe(0);
    indexer = runLib('indexer/main.js', env());
    await waitFor('the resume line', 20_000, async () => /resuming after block/.test(indexer.output()));
    await indexToHead(db, client, indexer);
    expect(await tableCounts(db.url)).toEqual(before);
  });

  it('starts over when the chain it indexed is replaced by a new devnet', async () => {
    await indexer.stop();
    await devnet.stop();
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    writeDeployment(path.join(tmp, 'deployment.json'), deployment);
    client = createPublicClient({ transport: http(devnet.rpcUrl) });
    // A different seed, so the new chain's contents differ from the old one's.
    await createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: SEED + 100, preset: 'small' }).run({ rounds: 3 });
    indexer = runLib('indexer/main.js', env());
    await waitFor('the start-over line', 20_000, async () => /starting over with an empty index/.test(indexer.output()));
    await indexToHead(db, client, indexer);
    const res = await gateway.execute(`{ jobs { totalCount } subnets { totalCount } }`);
    const data = res.data as any;
    expect(BigInt(data.jobs.totalCount)).toBe(await read<bigint>(deployment.contracts.market, computeMarketAbi, 'jobCount'));
    expect(data.subnets.totalCount).toBe(await read<number>(deployment.contracts.registry, subnetRegistryAbi, 'subnetCount'));
  });
});

async function tableCounts(url: string): Promise<Record<string, number>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of [
      'subnet',
      'neuron',
      'stake_position',
      'stake_event',
      'market',
      'provider',
      'job',
      'job_event',
      'chain_event',
      'account',
    ]) {
      out[t] = Number((await c.query(`select count(*) from ${t}`)).rows[0].count);
    }
    return out;
  } finally {
    await c.end();
  }
}
