// _meta.chainHead and lag against the project's real devnet (Hardhat), and the statement timeout
// of the gateway's own pool.
import { Client } from 'pg';
import { type Devnet, startDevnet } from '../chain';
import { createGateway, type Gateway, QueryTimeoutError } from '../gateway';
import { fromDatabaseError } from '../gateway/errors';
import { createTestDatabase, type TestDatabase } from './harness';

let db: TestDatabase;
let devnet: Devnet;
let gateway: Gateway;

async function rpc(method: string): Promise<unknown> {
  const res = await fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

beforeAll(async () => {
  db = await createTestDatabase();
  devnet = await startDevnet({ port: 0 });
  gateway = await createGateway({
    databaseUrl: db.url,
    rpcUrl: devnet.rpcUrl,
    statementTimeoutMs: 200,
  });
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(`create schema squid_processor;
    create table squid_processor.status (id int primary key, height int not null, hash text not null, nonce int not null);
    create table squid_processor.hot_block (height int primary key, hash text not null);
    insert into squid_processor.status values (0, 1, '0x', 0);`);
  await pg.end();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await devnet?.stop();
  await db?.drop();
});

it('reports the chain head from RPC_URL and the lag behind it', async () => {
  for (let i = 0; i < 5; i++) await rpc('evm_mine');
  // Past the 250 ms cache of an earlier answer
  await new Promise((r) => setTimeout(r, 300));
  const head = Number.parseInt((await rpc('eth_blockNumber')) as string, 16);
  expect(head).toBeGreaterThanOrEqual(5);
  const res = await gateway.execute('{ _meta { block finalizedBlock chainHead lag } }');
  expect(res).toEqual({
    data: {
      _meta: { block: 1, finalizedBlock: 1, chainHead: head, lag: head - 1 },
    },
  });
});

it('reports chainHead null when the RPC is unreachable', async () => {
  const port = devnet.port;
  await devnet.stop();
  const gw = await createGateway({
    databaseUrl: db.url,
    rpcUrl: `http://127.0.0.1:${port}`,
  });
  try {
    expect((await gw.execute('{ _meta { block chainHead lag } }')).data).toEqual({ _meta: { block: 1, chainHead: null, lag: null } });
  } finally {
    await gw.close();
  }
});

it('sets the statement timeout on its own pool, and maps a timeout to QUERY_TIMEOUT', async () => {
  const { services } = gateway.createContext();
  expect(await services.query('show statement_timeout', [])).toEqual([{ statement_timeout: '200ms' }]);
  // The pool's queries come out classified, for every resolver that runs SQL.
  const err = await services.query('select pg_sleep(1)', []).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(QueryTimeoutError);
  expect((err as QueryTimeoutError).originalError).toMatchObject({ code: '57014' });
  expect(fromDatabaseError((err as QueryTimeoutError).originalError)).toBeInstanceOf(QueryTimeoutError);
});
