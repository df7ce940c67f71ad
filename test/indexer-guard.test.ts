// The chain guard at the indexer's start: resume on the same chain, start over on another chain,
// and rebuild an index whose schema is older than the committed migrations.
import { Client } from 'pg';
import { type Deployment, type Devnet, deployProtocol, startDevnet } from '../chain';
import { fetchChainIdentity, type IndexedChain, prepareDatabase } from '../indexer';
import { chainHead, createTestDatabase, type TestDatabase } from './harness';

jest.setTimeout(60_000);

describe('indexer chain guard', () => {
  let devnet: Devnet;
  let deployment: Deployment;
  let db: TestDatabase;
  let current: IndexedChain;

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 });
    deployment = await deployProtocol({ rpcUrl: devnet.rpcUrl });
    db = await createTestDatabase({ migrated: false });
    current = { ...(await fetchChainIdentity(devnet.rpcUrl)), contracts: deployment.contracts, startBlock: deployment.startBlock };
  });
  afterAll(async () => {
    await db?.drop();
    await devnet?.stop();
  });

  async function sql<T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(q, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /** What the processor leaves after committing block `height` of this chain, plus one indexed row. */
  async function pretendIndexed(height: number): Promise<void> {
    const block = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [`0x${height.toString(16)}`, false] }),
    }).then((r) => r.json() as Promise<{ result: { hash: string } }>);
    await sql('create schema if not exists squid_processor');
    await sql('create table if not exists squid_processor.status (id int primary key, height int not null, hash text, nonce int)');
    await sql('insert into squid_processor.status values (0, $1, $2, 0) on conflict (id) do update set height = $1, hash = $2', [
      height,
      block.result.hash,
    ]);
    await sql(`insert into account (id, balance, minted, burned, transfers_in, transfers_out, first_seen_block, updated_at_block)
      values ('0xaa', 1, 1, 0, 1, 0, 1, 1) on conflict do nothing`);
  }

  it('starts fresh, then resumes on the same chain', async () => {
    expect(await prepareDatabase(db.url, devnet.rpcUrl, current, 'reset')).toEqual({ action: 'fresh' });
    const height = await chainHead(devnet.rpcUrl);
    await pretendIndexed(height);
    expect(await prepareDatabase(db.url, devnet.rpcUrl, current, 'reset')).toEqual({ action: 'resume', height });
    expect(await sql('select id from account')).toHaveLength(1);
  });

  it('rebuilds an index built with an older schema', async () => {
    // One committed migration not applied: the schema moved on since this index was built.
    const [last] = await sql<{ name: string }>('select name from migrations order by timestamp desc limit 1');
    await sql('delete from migrations where name = $1', [last.name]);
    const outcome = await prepareDatabase(db.url, devnet.rpcUrl, current, 'refuse');
    expect(outcome).toMatchObject({ action: 'reset', cause: 'schema' });
    expect(await sql('select id from account')).toHaveLength(0);
    expect(await sql('select name from migrations where name = $1', [last.name])).toHaveLength(1);
  });

  it('refuses another deployment when told to, and starts over otherwise', async () => {
    await pretendIndexed(await chainHead(devnet.rpcUrl));
    const moved = { ...current, contracts: { ...current.contracts, market: '0x00000000000000000000000000000000000000ff' } };
    await expect(prepareDatabase(db.url, devnet.rpcUrl, moved, 'refuse')).rejects.toThrow(/market contract moved.*refusing/);
    expect(await sql('select id from account')).toHaveLength(1); // refusing changed nothing
    expect(await prepareDatabase(db.url, devnet.rpcUrl, moved, 'reset')).toMatchObject({ action: 'reset', cause: 'chain' });
    expect(await sql('select id from account')).toHaveLength(0);
  });
});
