// The per-period market figures and the token supply per market epoch, indexed by the real indexer
// from a simulated devnet history (finalized blocks through COPY, the newest ones hot), against the
// same figures computed here from the raw logs alone, and the closed epochs against the contract's
// own getEpoch view.
import { Client } from 'pg';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type Log,
  maxUint256,
  type PublicClient,
  parseEventLogs,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  computeMarketAbi,
  createSimulator,
  DEFAULT_USD_PER_TOKEN,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  startDevnet,
} from '../chain';
import { createTestDatabase, type RunningProcess, startIndexer, type TestDatabase, waitForHead, writeTempDeployment } from './harness';

jest.setTimeout(180_000);

const SEED = 11;
const ROUNDS = 30;
const ZERO = '0x0000000000000000000000000000000000000000';

let devnet: Devnet;
let deployment: Deployment;
let client: PublicClient;
let db: TestDatabase;
let indexer: RunningProcess;
let pg: Client;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 });
  deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  client = createPublicClient({ transport: http(devnet.rpcUrl) });
  await createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: SEED, preset: 'small' }).run({ rounds: ROUNDS });
  await pricesThatRound();
  db = await createTestDatabase({ migrated: false });
  indexer = startIndexer({ DATABASE_URL: db.url, RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: writeTempDeployment(deployment) });
  await waitForHead(db.url, devnet.rpcUrl, indexer, 120_000);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});

afterAll(async () => {
  await pg?.end();
  await indexer?.stop();
  await db?.drop();
  await devnet?.stop();
});

/**
 * The simulator's prices give whole base units per thousandth of work (usdPerToken divides 1e15 *
 * usdPerUnit), so no average of its jobs is ever rounded. After it, new oracle and market prices
 * that do not divide, and jobs posted at them in market 1's open epoch (and one price change more).
 */
async function pricesThatRound(): Promise<void> {
  const account = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
  const wallet = createWalletClient({ account, transport: http(devnet.rpcUrl) });
  const { market, token } = deployment.contracts;
  const send = async (address: Address, abi: readonly unknown[], functionName: string, args: unknown[]) => {
    const hash: Hex = await wallet.writeContract({ address, abi, functionName, args, chain: null, account } as never);
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`${functionName} reverted`);
  };
  await send(token, gridTokenAbi, 'mint', [account.address, 10n ** 24n]);
  await send(token, gridTokenAbi, 'approve', [market, maxUint256]);
  await send(market, computeMarketAbi, 'setOraclePrice', [30_000_007n]);
  await send(market, computeMarketAbi, 'setMarketPrice', [1, 41_000_003n]);
  const deadline = (await client.getBlock()).timestamp + 86_400n;
  for (const work of [777n, 1_234n]) await send(market, computeMarketAbi, 'postJob', [1, `0x${'ab'.repeat(32)}`, work, deadline]);
  await send(market, computeMarketAbi, 'setMarketPrice', [1, 55_000_001n]);
}

interface Ev {
  block: number;
  logIndex: number;
  contract: 'market' | 'token';
  name: string;
  args: Record<string, any>;
}

/** Every market and token log of the history, decoded, in chain order. */
async function history(): Promise<Ev[]> {
  const { market, token } = deployment.contracts;
  const out: Ev[] = [];
  const head = await client.getBlockNumber({ cacheTime: 0 });
  for (const [contract, address, abi] of [
    ['market', market, computeMarketAbi],
    ['token', token, gridTokenAbi],
  ] as const) {
    for (let from = 0n; from <= head; from += 500n) {
      const to = from + 499n < head ? from + 499n : head;
      const logs = await client.getLogs({ address: address as Address, fromBlock: from, toBlock: to });
      for (const l of parseEventLogs({ abi: abi as never, logs: logs as Log[] }) as any[]) {
        out.push({ block: Number(l.blockNumber), logIndex: l.logIndex, contract, name: l.eventName, args: l.args });
      }
    }
  }
  return out.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
}

interface Epoch {
  id: string;
  market_id: string;
  epoch: number;
  closed: boolean;
  start_block: number;
  emission: bigint;
  work_approved: bigint;
  availability_emission: bigint;
  available_providers: number;
  jobs_posted: number;
  volume: bigint;
  work_estimated: bigint;
  avg_price_per_unit: bigint | null;
  jobs_approved: number;
  burned: bigint;
  minted: bigint;
  usd_per_unit: bigint;
  block: number;
}
interface SupplyEpoch {
  id: string;
  market_id: string;
  epoch: number;
  closed: boolean;
  start_block: number;
  minted: bigint;
  burned: bigint;
  supply: bigint;
  block: number;
}

/** Volume over work: base units per whole work unit, rounded down, null without work; written out again here. */
const avg = (volume: bigint, work: bigint) => (work === 0n ? null : (volume * 1000n) / work);

/** The epochs as the README defines them, from the raw logs: the expected rows. */
function expected(evs: Ev[]) {
  const epochs = new Map<string, Epoch>();
  const supplyEpochs = new Map<string, SupplyEpoch>();
  const open = new Map<string, number>();
  const price = new Map<string, bigint>();
  const jobMarket = new Map<bigint, string>();
  let supply = 0n;
  const openEpoch = (m: string, epoch: number, block: number) => {
    open.set(m, epoch);
    const id = `${m}-${epoch}`;
    epochs.set(id, {
      id,
      market_id: m,
      epoch,
      closed: false,
      start_block: block,
      emission: 0n,
      work_approved: 0n,
      availability_emission: 0n,
      available_providers: 0,
      jobs_posted: 0,
      volume: 0n,
      work_estimated: 0n,
      avg_price_per_unit: null,
      jobs_approved: 0,
      burned: 0n,
      minted: 0n,
      usd_per_unit: price.get(m)!,
      block,
    });
    supplyEpochs.set(id, { id, market_id: m, epoch, closed: false, start_block: block, minted: 0n, burned: 0n, supply, block });
  };
  const current = (m: string) => epochs.get(`${m}-${open.get(m)}`)!;
  const touch = (e: Epoch, block: number) => {
    if (!e.closed) e.block = block;
  };
  for (const ev of evs) {
    const a = ev.args;
    if (ev.contract === 'token') {
      if (ev.name !== 'Transfer' || (a.from !== ZERO && a.to !== ZERO)) continue;
      const minted = a.from === ZERO;
      supply += minted ? a.value : -a.value;
      for (const [m, epoch] of open) {
        const s = supplyEpochs.get(`${m}-${epoch}`)!;
        if (minted) s.minted += a.value;
        else s.burned += a.value;
        s.supply = supply;
        s.block = ev.block;
      }
      continue;
    }
    const m = a.marketId === undefined ? undefined : String(a.marketId);
    switch (ev.name) {
      case 'MarketCreated':
        price.set(m!, a.usdPerUnit);
        openEpoch(m!, 0, ev.block);
        break;
      case 'MarketPriceSet': {
        price.set(m!, a.usdPerUnit);
        const e = current(m!);
        e.usd_per_unit = a.usdPerUnit;
        touch(e, ev.block);
        break;
      }
      case 'JobPosted': {
        jobMarket.set(a.jobId, m!);
        const e = current(m!);
        e.jobs_posted += 1;
        e.volume += a.payment;
        e.work_estimated += a.workEstimate;
        e.avg_price_per_unit = avg(e.volume, e.work_estimated);
        touch(e, ev.block);
        break;
      }
      case 'JobSettled': {
        const e = epochs.get(`${jobMarket.get(a.jobId)}-${a.epoch}`)!;
        e.jobs_approved += 1;
        e.burned += a.burned;
        e.work_approved += a.workCredited;
        touch(e, ev.block);
        break;
      }
      case 'ProviderRewarded':
        epochs.get(`${m}-${a.epoch}`)!.minted += a.workReward + a.availabilityReward;
        break;
      case 'MarketEpochClosed': {
        const e = current(m!);
        expect(BigInt(e.epoch)).toBe(a.epoch);
        Object.assign(e, { closed: true, emission: a.emission, work_approved: a.workApproved, block: ev.block });
        const s = supplyEpochs.get(e.id)!;
        Object.assign(s, { closed: true, block: ev.block });
        openEpoch(m!, e.epoch + 1, ev.block);
        break;
      }
      case 'MarketEpochAvailability':
        Object.assign(epochs.get(`${m}-${a.epoch}`)!, {
          availability_emission: a.availabilityEmission,
          available_providers: a.availableProviders,
        });
        break;
    }
  }
  return { epochs: [...epochs.values()], supplyEpochs: [...supplyEpochs.values()], supply };
}

const big = (v: string | null) => (v === null ? null : BigInt(v));

it('indexes every market epoch, the one in progress included, as the raw logs add up', async () => {
  const evs = await history();
  const want = expected(evs);
  const rows = (
    await pg.query(`select id, market_id, epoch, closed, start_block, emission, work_approved, availability_emission,
      available_providers, jobs_posted, volume, work_estimated, avg_price_per_unit, jobs_approved, burned, minted, usd_per_unit, block
      from market_epoch order by market_id, epoch`)
  ).rows.map((r) => ({
    ...r,
    emission: BigInt(r.emission),
    work_approved: BigInt(r.work_approved),
    availability_emission: BigInt(r.availability_emission),
    volume: BigInt(r.volume),
    work_estimated: BigInt(r.work_estimated),
    avg_price_per_unit: big(r.avg_price_per_unit),
    burned: BigInt(r.burned),
    minted: BigInt(r.minted),
    usd_per_unit: BigInt(r.usd_per_unit),
  }));
  const order = (xs: Epoch[]) => [...xs].sort((a, b) => Number(a.market_id) - Number(b.market_id) || a.epoch - b.epoch);
  expect(order(rows)).toEqual(order(want.epochs));
  // The history is worth checking: several closed epochs per market, with jobs, burns and rewards in them.
  const closed = rows.filter((r) => r.closed);
  expect(closed.length).toBeGreaterThanOrEqual(2 * 4);
  expect(closed.filter((r) => r.jobs_posted > 0 && r.jobs_approved > 0 && r.minted > 0n).length).toBeGreaterThanOrEqual(4);
  expect(rows.filter((r) => !r.closed).length).toBe(4); // one open epoch per market
  // Every job posted and approved is in exactly one epoch.
  const count = (name: string) => evs.filter((e) => e.name === name).length;
  expect(rows.reduce((n, r) => n + r.jobs_posted, 0)).toBe(count('JobPosted'));
  expect(rows.reduce((n, r) => n + r.jobs_approved, 0)).toBe(count('JobSettled'));
  // A market's epochs sum to its totals.
  const markets = (await pg.query(`select id, volume, burned, minted, job_count, approved_job_count, epoch_count from market`)).rows;
  for (const m of markets) {
    const own = rows.filter((r) => r.market_id === m.id);
    expect(String(own.reduce((s, r) => s + r.volume, 0n))).toBe(m.volume);
    expect(String(own.reduce((s, r) => s + r.burned, 0n))).toBe(m.burned);
    expect(String(own.reduce((s, r) => s + r.minted, 0n))).toBe(m.minted);
    expect(own.filter((r) => r.closed).length).toBe(m.epoch_count);
  }
  // Closed epochs as the contract keeps them.
  for (const r of closed) {
    const onChain = (await client.readContract({
      address: deployment.contracts.market,
      abi: computeMarketAbi,
      functionName: 'getEpoch',
      args: [Number(r.market_id), BigInt(r.epoch)],
    })) as { closed: boolean; availableProviders: number; workApproved: bigint; workEmission: bigint; availabilityEmission: bigint };
    expect([r.closed, r.available_providers, r.work_approved, r.emission, r.availability_emission]).toEqual([
      onChain.closed,
      onChain.availableProviders,
      onChain.workApproved,
      onChain.workEmission,
      onChain.availabilityEmission,
    ]);
  }
});

it('keeps the average price per hour and day as volume over work of the jobs posted', async () => {
  const stats = (await pg.query(`select market_id, period, start, volume, work_estimated, avg_price_per_unit from market_stat`)).rows;
  expect(stats.length).toBeGreaterThan(0);
  for (const s of stats) expect(big(s.avg_price_per_unit)).toBe(avg(BigInt(s.volume), BigInt(s.work_estimated)));
  // Prices are set in USD at an oracle price: the average is the token per unit they imply, within
  // rounding (each payment is rounded up, by less than one base unit per job). The closed epochs'
  // jobs all had the simulator's prices (usd_per_unit, at the deployment's oracle price).
  const epochs = (
    await pg.query(
      `select avg_price_per_unit, usd_per_unit, jobs_posted, work_estimated from market_epoch where jobs_posted > 0 and closed`,
    )
  ).rows;
  expect(epochs.length).toBeGreaterThan(0);
  for (const e of epochs) {
    const implied = (BigInt(e.usd_per_unit) * 10n ** 18n) / DEFAULT_USD_PER_TOKEN;
    const slack = (BigInt(e.jobs_posted) * 1000n) / BigInt(e.work_estimated) + 1n;
    const got = BigInt(e.avg_price_per_unit);
    expect({ got, ok: got >= implied && got <= implied + slack }).toEqual({ got, ok: true });
  }
  // The jobs posted after the simulator: an average that is rounded down, and the price at the epoch's end.
  const [open] = (
    await pg.query(`select volume, work_estimated, avg_price_per_unit, usd_per_unit from market_epoch where market_id = '1' and not closed`)
  ).rows;
  expect((BigInt(open.volume) * 1000n) % BigInt(open.work_estimated)).not.toBe(0n);
  expect(open.usd_per_unit).toBe('55000001');
});

it("counts every mint and burn in each market's open epoch, with the supply at its end", async () => {
  const want = expected(await history());
  const rows = (
    await pg.query(`select id, market_id, epoch, closed, start_block, minted, burned, supply, block from token_supply_epoch`)
  ).rows.map((r) => ({ ...r, minted: BigInt(r.minted), burned: BigInt(r.burned), supply: BigInt(r.supply) }));
  const order = (xs: SupplyEpoch[]) => [...xs].sort((a, b) => Number(a.market_id) - Number(b.market_id) || a.epoch - b.epoch);
  expect(order(rows)).toEqual(order(want.supplyEpochs));
  const totalSupply = (await client.readContract({
    address: deployment.contracts.token,
    abi: gridTokenAbi,
    functionName: 'totalSupply',
  })) as bigint;
  expect(want.supply).toBe(totalSupply);
  for (const m of new Set(rows.map((r) => r.market_id))) {
    const own = order(rows.filter((r) => r.market_id === m));
    // Each market's epochs follow one another: each starts where the one before ended, supply carried over.
    for (let i = 1; i < own.length; i++) {
      expect(own[i]!.start_block).toBe(own[i - 1]!.block);
      expect(own[i]!.supply).toBe(own[i - 1]!.supply + own[i]!.minted - own[i]!.burned);
    }
    expect(own.at(-1)!.closed).toBe(false);
    expect(own.at(-1)!.supply).toBe(totalSupply);
  }
  expect(rows.some((r) => r.closed && r.minted > 0n && r.burned > 0n)).toBe(true);
});
