// `epoch(netuid, number) { verify }` on a real run: the simulator drives a devnet with the keeper
// posting epochs in-process, the real indexer process indexes it, and the gateway recomputes every
// posted epoch from the indexed chain events alone. Then one posted row is altered in the database
// and verify names exactly that uid and field, and nothing else.
import fs from 'node:fs';
import { Client } from 'pg';
import { createSimulator, type Devnet, deployProtocol, startDevnet } from '../chain';
import { createGateway, type Gateway } from '../gateway';
import { createTestDatabase, type RunningProcess, startIndexer, type TestDatabase, waitForHead, writeTempDeployment } from './harness';

jest.setTimeout(240_000);

let devnet: Devnet;
let db: TestDatabase;
let indexer: RunningProcess;
let gateway: Gateway;
let pg: Client;
let deploymentFile: string;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 });
  const deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
  // keeper: true posts every due epoch after each round, from the chain's own state.
  await createSimulator({ rpcUrl: devnet.rpcUrl, deployment, seed: 11, preset: 'small', keeper: true }).run({ rounds: 14 });
  db = await createTestDatabase({ migrated: false });
  deploymentFile = writeTempDeployment(deployment);
  indexer = startIndexer({ DATABASE_URL: db.url, RPC_URL: devnet.rpcUrl, DEPLOYMENT_FILE: deploymentFile });
  await waitForHead(db.url, devnet.rpcUrl, indexer, 120_000);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  gateway = await createGateway({ databaseUrl: db.url });
});

afterAll(async () => {
  await indexer?.stop();
  await gateway?.close();
  await pg?.end();
  await devnet?.stop();
  await db?.drop();
  if (deploymentFile) fs.rmSync(deploymentFile, { force: true });
});

interface Verified {
  netuid: number;
  epoch: number;
  neuronCount: number;
  verify: { matches: boolean; inputsHash: string; mismatches: { uid: number | null; field: string; expected: string; actual: string }[] };
}

const VERIFY = 'verify { matches inputsHash mismatches { uid field expected actual } }';

async function allEpochs(): Promise<Verified[]> {
  const res = await gateway.execute(
    `{ subnetEpochs(first: 1000, orderBy: block) { items { netuid epoch neuronCount inputsHash ${VERIFY} } } }`,
  );
  expect(res.errors).toBeUndefined();
  return (res.data as { subnetEpochs: { items: (Verified & { inputsHash: string })[] } }).subnetEpochs.items;
}

it('recomputes every posted epoch exactly, its inputs hash included', async () => {
  const epochs = await allEpochs();
  // The run must have posted several epochs with neurons, and a second epoch somewhere (bonds and
  // permits carried), or this test would check little.
  expect(epochs.filter((e) => e.neuronCount > 0).length).toBeGreaterThanOrEqual(3);
  expect(epochs.some((e) => e.epoch >= 2 && e.neuronCount > 1)).toBe(true);
  const { rows } = await pg.query<{ n: string }>(`select count(*) as n from neuron_epoch`);
  expect(epochs.reduce((n, e) => n + e.neuronCount, 0)).toBe(Number(rows[0].n));
  for (const e of epochs) {
    expect({ netuid: e.netuid, epoch: e.epoch, mismatches: e.verify.mismatches }).toEqual({
      netuid: e.netuid,
      epoch: e.epoch,
      mismatches: [],
    });
    expect(e.verify.matches).toBe(true);
  }
  // Some uid earned something: a verification of all-zero outputs would prove little.
  const { rows: paid } = await pg.query(`select 1 from neuron_epoch where incentive > 0 and dividends = 0 limit 1`);
  expect(paid.length).toBe(1);
});

it("gives each subnet's emission per epoch: its newest epoch's, which the ledger fixes at tempo x 1 token per block", async () => {
  const res = await gateway.execute(
    '{ subnets { items { netuid tempo epochCount lastEpochEmission epochs(first: 1, orderBy: epoch, orderDirection: DESC) { items { epoch emission } } } } }',
  );
  expect(res.errors).toBeUndefined();
  type S = {
    tempo: number;
    epochCount: number;
    lastEpochEmission: string | null;
    epochs: { items: { epoch: number; emission: string }[] };
  };
  const subnets = (res.data as { subnets: { items: S[] } }).subnets.items;
  expect(subnets.filter((s) => s.epochCount >= 2).length).toBeGreaterThan(0);
  for (const s of subnets) {
    if (s.epochCount === 0) {
      expect(s.lastEpochEmission).toBeNull();
      continue;
    }
    expect(s.lastEpochEmission).toBe(s.epochs.items[0]?.emission);
    expect(BigInt(s.lastEpochEmission as string)).toBe(BigInt(s.tempo) * 10n ** 18n);
  }
});

it('reports exactly the altered output of a tampered epoch, and only there', async () => {
  const epochs = await allEpochs();
  const target = epochs.filter((e) => e.epoch >= 2 && e.neuronCount > 1).at(-1) as Verified;
  const { rows } = await pg.query<{ id: string; uid: number; incentive: number }>(
    `select id, uid, incentive from neuron_epoch where netuid = $1 and epoch = $2 order by incentive desc, uid limit 1`,
    [target.netuid, target.epoch],
  );
  const row = rows[0];
  const forged = row.incentive === 65535 ? 0 : row.incentive + 1;
  await pg.query(`update neuron_epoch set incentive = $2 where id = $1`, [row.id, forged]);
  try {
    const res = await gateway.execute(`query($n: Int!, $e: Int!) { epoch(netuid: $n, number: $e) { ${VERIFY} } }`, {
      n: target.netuid,
      e: target.epoch,
    });
    expect(res.errors).toBeUndefined();
    const v = (res.data as { epoch: Verified }).epoch.verify;
    expect(v.matches).toBe(false);
    expect(v.mismatches).toEqual([{ uid: row.uid, field: 'incentive', expected: String(row.incentive), actual: String(forged) }]);
    // Every other epoch still verifies: the replay carries its own bonds and permits, not the posted rows.
    const others = (await allEpochs()).filter((e) => !(e.netuid === target.netuid && e.epoch === target.epoch));
    expect(others.every((e) => e.verify.matches)).toBe(true);
  } finally {
    await pg.query(`update neuron_epoch set incentive = $2 where id = $1`, [row.id, row.incentive]);
  }
});

it('tells a stake the index never saw apart from the posted inputs', async () => {
  // A registry event removed from the index changes the recomputed inputs: the inputs hash no
  // longer matches the one the keeper committed to, so verify cannot pass on incomplete data.
  // The newest epoch with neurons, and the last stake change before its block on one of its hotkeys:
  // without it, that hotkey's stake reads as the one before (or zero).
  const { rows } = await pg.query(
    `select se.netuid, se.epoch, ce.id, ce.name, ce.block_number, ce.args, ce.contract, ce.address, ce.timestamp, ce.tx_hash, ce.log_index, ce.netuid as ev_netuid
       from subnet_epoch se cross join lateral (
         select * from chain_event c where c.contract = 'registry' and c.name in ('StakeAdded', 'StakeRemoved')
            and (c.args->>'netuid')::int = se.netuid and c.block_number <= se.block
            and exists (select 1 from neuron_epoch ne where ne.netuid = se.netuid and ne.epoch = se.epoch and ne.hotkey = c.args->>'hotkey')
          order by c.block_number desc, c.log_index desc limit 1) ce
      where se.neuron_count > 1 order by se.block desc limit 1`,
  );
  const target = { netuid: rows[0]?.netuid as number, epoch: rows[0]?.epoch as number };
  expect(rows.length).toBe(1);
  const ev = rows[0];
  await pg.query(`delete from chain_event where id = $1`, [ev.id]);
  try {
    const res = await gateway.execute(`query($n: Int!, $e: Int!) { epoch(netuid: $n, number: $e) { ${VERIFY} } }`, {
      n: target.netuid,
      e: target.epoch,
    });
    const v = (res.data as { epoch: Verified }).epoch.verify;
    expect(v.matches).toBe(false);
    expect(v.mismatches.map((m) => m.field)).toContain('inputsHash');
  } finally {
    await pg.query(
      `insert into chain_event (id, name, block_number, args, contract, address, timestamp, tx_hash, log_index, netuid) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [ev.id, ev.name, ev.block_number, ev.args, ev.contract, ev.address, ev.timestamp, ev.tx_hash, ev.log_index, ev.ev_netuid],
    );
  }
});
