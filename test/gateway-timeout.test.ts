// The statement timeout as clients meet it: every resolver family (the one-statement lanes, the
// rankings, the token totals) answers QUERY_TIMEOUT, never INTERNAL_SERVER_ERROR, and a timed-out
// operation runs its statement once, not again in the next lane. Tables are held by a lock from
// another connection, so every statement of the gateway waits until its timeout.
import { Client } from 'pg';
import { createGateway, type Gateway } from '../gateway';
import { createDataSource } from '../schema';
import { createTestDatabase, statementRecorder, type TestDatabase } from './harness';

const TIMEOUT_MS = 300;

let db: TestDatabase;
let gateway: Gateway;
let url: string;
let locker: Client;
const statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const ds = createDataSource({ url: db.url, statementTimeoutMs: TIMEOUT_MS });
  ds.setOptions({ logger: statementRecorder((q) => void statements.push(q)) });
  gateway = await createGateway({ dataSource: ds });
  ({ url } = await gateway.listen(0, '127.0.0.1'));
  locker = new Client({ connectionString: db.url });
  await locker.connect();
}, 60_000);

afterAll(async () => {
  await locker?.end();
  await gateway?.close();
  await db?.drop();
});

async function withTablesLocked<T>(fn: () => Promise<T>): Promise<T> {
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE subnet, neuron, token_supply_day, job, market, provider IN ACCESS EXCLUSIVE MODE');
  try {
    return await fn();
  } finally {
    await locker.query('ROLLBACK');
  }
}

const post = async (query: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
  };
};

const codes = (errors: readonly { extensions?: { code?: unknown } }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

const ENTITY_PAGE = '{ subnets { totalCount items { netuid name } } }';

it.each([
  ['a page of the entity API (one statement)', ENTITY_PAGE],
  ['a lookup with relations', '{ market(marketId: 1) { name jobs { items { jobId } } } }'],
  ['the token totals', '{ token { supply minted burned } }'],
  ['a ranking', '{ subnetRankings(by: STAKE) { rank value } }'],
  ['a neuron ranking', '{ neuronRankings(netuid: 1, by: STAKE) { rank value } }'],
])('%s answers QUERY_TIMEOUT in-process', async (_what, query) => {
  const res = await withTablesLocked(() => gateway.execute(query));
  expect(codes(res.errors)).toContain('QUERY_TIMEOUT');
  expect(codes(res.errors)).not.toContain('INTERNAL_SERVER_ERROR');
  expect(JSON.stringify(res.errors)).not.toMatch(/canceling|select |from "/i);
});

it('runs a timed-out one-statement operation once, in-process and over HTTP', async () => {
  statements.length = 0;
  const inProcess = await withTablesLocked(() => gateway.execute(ENTITY_PAGE));
  expect(inProcess).toEqual({ data: null, errors: [{ message: expect.any(String), extensions: { code: 'QUERY_TIMEOUT' } }] });
  expect(statements).toHaveLength(1);

  statements.length = 0;
  const started = Date.now();
  const http = await withTablesLocked(() => post(ENTITY_PAGE));
  const tookMs = Date.now() - started;
  expect(http.status).toBe(200);
  expect(http.body).toEqual(inProcess);
  // The fast lane's statement only: neither Apollo's operation plugin nor the resolvers ran it again.
  expect(statements).toHaveLength(1);
  expect(tookMs).toBeLessThan(TIMEOUT_MS * 2 + 500);
});

it('answers the same queries once the tables are free again', async () => {
  expect(await gateway.execute(ENTITY_PAGE)).toEqual({ data: { subnets: { totalCount: 0, items: [] } } });
  expect((await post(ENTITY_PAGE)).body).toEqual({ data: { subnets: { totalCount: 0, items: [] } } });
  const token = await gateway.execute('{ token { supply } }');
  expect(token.errors).toBeUndefined();
});
