// Subscriptions end to end: two gateway replicas on one migrated Postgres, real graphql-ws
// clients over WebSocket, rows changed with SQL and NOTIFY sent with the indexer's exact payload
// format (indexer/notify.ts). Every replica must see every change.
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../gateway';
import { addr, seed } from '../gateway/_test/fixture';
import { CHANGES_CHANNEL as GATEWAY_CHANNEL } from '../gateway/changes';
import { buildChangesPayload, CHANGES_CHANNEL } from '../indexer/notify';
import { createTestDatabase, type TestDatabase } from './harness/db';

let db: TestDatabase;
let pg: Client;
const gateways: Gateway[] = [];
const urls: string[] = [];
const clients: WsClient[] = [];
const logs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await seed(pg);
  // The processor's state table, so that a reconnecting listener can read the indexed height.
  await pg.query(`create schema squid_processor;
    create table squid_processor.status (id int primary key, height int not null, hash text not null, nonce int not null);
    create table squid_processor.hot_block (height int primary key, hash text not null);
    insert into squid_processor.status values (0, 1000, '0x', 0);`);
  for (let i = 0; i < 2; i++) {
    const g = await createGateway({ databaseUrl: db.url, maxCost: 5000, log: (line) => logs.push(`${i}: ${line}`) });
    gateways.push(g);
    urls.push((await g.listen(0)).url.replace(/^http/, 'ws'));
    await g.changesReady();
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.dispose();
  for (const g of gateways) await g.close();
  await pg?.end();
  await db?.drop();
});

function client(url: string): WsClient {
  const c = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

type Result = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

/** One subscription: what it received, its error (graphql-ws `error` message) and how to stop it. */
function subscribe(c: WsClient, query: string, variables?: Record<string, unknown>) {
  const received: Result[] = [];
  let failure: unknown;
  let completed = false;
  const stop = c.subscribe(
    { query, variables },
    {
      next: (r) => void received.push(r as Result),
      error: (e) => {
        failure = e;
      },
      complete: () => {
        completed = true;
      },
    },
  );
  return { received, stop, error: () => failure, completed: () => completed };
}

async function until(what: string, check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the gateways' feeds have these many live subscriptions, so that a NOTIFY reaches them. */
const subscribed = (n: [number, number]) => until(`${n} subscriptions`, () => gateways.every((g, i) => g.stats().subscriptions === n[i]));

async function notify(payload: object | string) {
  await pg.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, typeof payload === 'string' ? payload : JSON.stringify(payload)]);
}

/** Lets in-flight notifications be handled, so that "nothing arrived" means nothing will. */
const settle = () => new Promise((r) => setTimeout(r, 300));

afterEach(async () => {
  // Each test stops its subscriptions; a leak here would be a bug in unsubscribing.
  await until('subscriptions to end', () => gateways.every((g) => g.stats().subscriptions === 0));
});

it('listens on the channel the indexer notifies', () => {
  expect(GATEWAY_CHANNEL).toBe(CHANGES_CHANNEL);
});

it('newBlock: every replica emits each batch height', async () => {
  const subs = urls.map((u) => subscribe(client(u), 'subscription { newBlock { number } }'));
  await subscribed([1, 1]);
  await notify({ block: 1001, entities: { Job: ['1'] } });
  await notify({ block: 1002, entities: { Market: 2 }, truncated: true });
  for (const s of subs) {
    await until('two blocks', () => s.received.length === 2);
    expect(s.received).toEqual([{ data: { newBlock: { number: 1001 } } }, { data: { newBlock: { number: 1002 } } }]);
    s.stop();
  }
});

it('jobUpdated: re-reads the listed jobs and emits those matching where (relation filters too), as they are now, on every replica', async () => {
  const query = `subscription($w: JobWhere) { jobUpdated(where: $w) { jobId state payment market { marketId kind } } }`;
  // RENDER markets are 1 and 4; jobs 1, 4, 16 are in them; job 2 is in market 2 (INFERENCE).
  const w = { state: 'APPROVED', market_: { kind: 'RENDER' } };
  const subs = urls.map((u) => subscribe(client(u), query, { w }));
  await subscribed([1, 1]);
  await pg.query(
    `update job set state = 'APPROVED', payment = '123456789012345678901234567', updated_at_block = 1010 where id in ('1', '2', '16')`,
  );
  await notify(JSON.parse(buildChangesPayload(1010, { Job: ['16', '1', '2', '4'], Market: ['1'] })));
  for (const s of subs) {
    await until('two jobs', () => s.received.length >= 2);
    await settle();
    // Job 2 is APPROVED but not RENDER; job 4 is RENDER but not APPROVED.
    expect(s.received).toEqual([
      {
        data: {
          jobUpdated: { jobId: 1, state: 'APPROVED', payment: '123456789012345678901234567', market: { marketId: 1, kind: 'RENDER' } },
        },
      },
      {
        data: {
          jobUpdated: { jobId: 16, state: 'APPROVED', payment: '123456789012345678901234567', market: { marketId: 1, kind: 'RENDER' } },
        },
      },
    ]);
  }
  // A batch that changed no Job emits nothing.
  await notify({ block: 1011, entities: { Provider: [addr(5000)] } });
  await settle();
  for (const s of subs) {
    expect(s.received).toHaveLength(2);
    s.stop();
  }
});

it('jobUpdated: a relation read in one event is read again in the next (no stale loader cache)', async () => {
  const s = subscribe(client(urls[0]), 'subscription { jobUpdated(where: { jobId: 3 }) { jobId market { name } } }');
  await subscribed([1, 0]);
  await notify({ block: 1020, entities: { Job: ['3'] } });
  await until('first', () => s.received.length === 1);
  await pg.query(`update market set name = 'renamed' where id = '3'`);
  await notify({ block: 1021, entities: { Job: ['3'], Market: ['3'] } });
  await until('second', () => s.received.length === 2);
  expect(s.received.map((r) => (r.data as { jobUpdated: { market: { name: string } } }).jobUpdated.market.name)).toEqual([
    'market 3',
    'renamed',
  ]);
  s.stop();
});

it('jobUpdated: a truncated payload (counts, no ids) re-reads the jobs changed in the batch blocks', async () => {
  const s = subscribe(client(urls[1]), 'subscription { jobUpdated(where: { state: CLAIMED }) { jobId } }');
  await subscribed([0, 1]);
  await notify({ block: 1030, entities: { Subnet: ['1'] } }); // the previous batch: up to block 1030
  // Changed in this batch (1030, 1040]: jobs 5 and 8 (CLAIMED in the fixture) and job 3 (not CLAIMED);
  // job 11 is CLAIMED but was changed at block 1030, in the previous batch.
  await pg.query(`update job set updated_at_block = 1035 where id in ('5', '3')`);
  await pg.query(`update job set updated_at_block = 1040 where id = '8'`);
  await pg.query(`update job set updated_at_block = 1030 where id = '11'`);
  const ids = Array.from({ length: 2000 }, (_, i) => String(i));
  const payload = buildChangesPayload(1040, { Job: ids });
  expect(JSON.parse(payload)).toEqual({ block: 1040, entities: { Job: 2000 }, truncated: true });
  await notify(payload);
  await until('two jobs', () => s.received.length >= 2);
  await settle();
  expect(s.received.map((r) => (r.data as { jobUpdated: { jobId: number } }).jobUpdated.jobId)).toEqual([5, 8]);
  s.stop();
});

it('providerUpdated: only the provider at that address, given in any letter case', async () => {
  const address = addr(5003);
  const s = subscribe(
    client(urls[0]),
    `subscription { providerUpdated(address: "${address.toUpperCase().replace('0X', '0x')}") { address tier } }`,
  );
  await subscribed([1, 0]);
  await notify({ block: 1050, entities: { Provider: [addr(5001), addr(5002)] } });
  await pg.query(`update provider set tier = 7 where id = $1`, [address]);
  await notify({ block: 1051, entities: { Provider: [addr(5001), address] } });
  await until('one provider', () => s.received.length >= 1);
  await settle();
  expect(s.received).toEqual([{ data: { providerUpdated: { address, tier: 7 } } }]);
  s.stop();
});

it('epochFinalized: the epochs of one subnet, or of all', async () => {
  const one = subscribe(client(urls[0]), 'subscription { epochFinalized(netuid: 2) { id netuid epoch emission subnet { netuid } } }');
  const all = subscribe(client(urls[1]), 'subscription { epochFinalized { id } }');
  await subscribed([1, 1]);
  const epoch = (netuid: number, n: number) => ({
    id: `${netuid}-${n}`,
    subnet_id: String(netuid),
    netuid,
    epoch: n,
    block: 1059,
    inputs_hash: '0xabc',
    emission: '1000000000000000000000',
    owner_cut: '1',
    neuron_count: 6,
    posted_at_block: 1060,
    timestamp: new Date(Date.UTC(2025, 1, 1)).toISOString(),
  });
  for (const e of [epoch(1, 7), epoch(2, 7)]) {
    const cols = Object.keys(e);
    await pg.query(
      `insert into subnet_epoch (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(e),
    );
  }
  await notify({ block: 1060, entities: { SubnetEpoch: ['1-7', '2-7'], Subnet: ['1', '2'] } });
  await until('epochs', () => one.received.length >= 1 && all.received.length >= 2);
  await settle();
  expect(one.received).toEqual([
    { data: { epochFinalized: { id: '2-7', netuid: 2, epoch: 7, emission: '1000000000000000000000', subnet: { netuid: 2 } } } },
  ]);
  expect(all.received).toEqual([{ data: { epochFinalized: { id: '1-7' } } }, { data: { epochFinalized: { id: '2-7' } } }]);
  one.stop();
  all.stop();
});

it('ignores a malformed payload, with a log line, and keeps serving', async () => {
  const s = subscribe(client(urls[0]), 'subscription { newBlock { number } }');
  await subscribed([1, 0]);
  await notify('not json');
  await notify({ block: 'x', entities: {} });
  await notify({ block: 1070, entities: { Job: 3 } }); // counts without `truncated`
  await notify({ block: 1071, entities: {} });
  await until('the good one', () => s.received.length >= 1);
  await settle();
  expect(s.received).toEqual([{ data: { newBlock: { number: 1071 } } }]);
  expect(logs.filter((l) => l.startsWith('0: ignored a malformed'))).toHaveLength(3);
  s.stop();
});

describe('errors: the same codes and limits as queries', () => {
  const cases: [string, string, Record<string, unknown> | undefined, string][] = [
    ['a parse error', 'subscription {', undefined, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', 'subscription { jobUpdated { nope } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
    ['a bad variable', 'subscription($w: JobWhere) { jobUpdated(where: $w) { id } }', { w: { jobId: 'x' } }, 'BAD_USER_INPUT'],
    [
      'a bad BigInt variable',
      'subscription($w: JobWhere) { jobUpdated(where: $w) { id } }',
      { w: { payment_gt: '1.5' } },
      'BAD_USER_INPUT',
    ],
    [
      'too deep',
      'subscription { jobUpdated { market { jobs { items { market { jobs { items { market { jobs { items { id } } } } } } } } } } }',
      undefined,
      'QUERY_TOO_DEEP',
    ],
    [
      'too many aliases',
      `subscription { jobUpdated { ${Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ')} } }`,
      undefined,
      'TOO_MANY_ALIASES',
    ],
    [
      'too costly (budget 5000 here)',
      'subscription { jobUpdated { market { jobs(first: 1000) { items { provider { jobs(first: 10) { items { id } } } } } } } }',
      undefined,
      'QUERY_TOO_COMPLEX',
    ],
  ];
  it.each(cases)('%s', async (_name, query, variables, code) => {
    const s = subscribe(client(urls[0]), query, variables);
    await until('an error', () => s.error() !== undefined);
    const errors = s.error() as { message: string; extensions?: { code?: string } }[];
    expect(errors.map((e) => e.extensions?.code)).toEqual([code]);
    expect(JSON.stringify(errors)).not.toMatch(/stack|select /i);
  });
});

it("rate limit: subscriptions draw on the peer's bucket that its HTTP requests share", async () => {
  const limited = await createGateway({ databaseUrl: db.url, rateLimit: { perSecond: 1, burst: 2 } });
  const { url } = await limited.listen(0);
  const c = client(url.replace(/^http/, 'ws'));
  try {
    const accepted = [subscribe(c, 'subscription { newBlock { number } }'), subscribe(c, 'subscription { newBlock { number } }')];
    await until('two subscriptions', () => limited.stats().subscriptions === 2);
    const refused = subscribe(c, 'subscription { newBlock { number } }');
    await until('an error', () => refused.error() !== undefined);
    const errors = refused.error() as { message: string; extensions?: { code?: string } }[];
    expect(errors.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(accepted.map((a) => a.error())).toEqual([undefined, undefined]);
    // The same bucket: the peer's next HTTP request is refused too.
    const http = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ _meta { block } }"}',
    });
    expect(http.status).toBe(429);
    for (const a of accepted) a.stop();
    await until('subscriptions to end', () => limited.stats().subscriptions === 0);
    // Refilled (1 per second): served again.
    await new Promise((r) => setTimeout(r, 1100));
    const again = subscribe(c, 'subscription { newBlock { number } }');
    await until('a subscription', () => limited.stats().subscriptions === 1);
    expect(again.error()).toBeUndefined();
    again.stop();
  } finally {
    await c.dispose();
    await limited.close();
  }
});

it('recovers from a dropped LISTEN connection and emits what changed while it was away', async () => {
  const s = urls.map((u) => subscribe(client(u), 'subscription { jobUpdated(where: { jobId_in: [7, 9] }) { jobId workEstimate } }'));
  await subscribed([1, 1]);
  await notify({ block: 1100, entities: { Subnet: ['1'] } }); // the last batch both have seen
  await settle();
  // A batch committed whose NOTIFY the gateways will not get: their LISTEN backends die now.
  await pg.query(`update job set work_estimate = '4242', updated_at_block = 1105 where id = '9'`);
  await pg.query(`update squid_processor.status set height = 1110`);
  const killed = await pg.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'LISTEN ${CHANGES_CHANNEL}'`,
  );
  expect(killed.rowCount).toBe(2);
  const disconnected = () => logs.filter((l) => /change listener disconnected .*reconnecting in \d+ ms/.test(l));
  await until('both listeners to notice', () => disconnected().length === 2);
  await until('both listeners to reconnect', () => gateways.every((g) => g.stats().listening));
  for (const x of s) {
    await until('the gap event', () => x.received.length >= 1);
    await settle();
    expect(x.received).toEqual([{ data: { jobUpdated: { jobId: 9, workEstimate: '4242' } } }]);
    x.stop();
  }
  expect(disconnected()).toHaveLength(2);
  expect(logs.filter((l) => l.endsWith('change listener reconnected'))).toHaveLength(2);
});
