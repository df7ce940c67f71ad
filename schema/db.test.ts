import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../test/harness';
import { createDataSource, ENTITIES, migrate } from './db';
import { Subnet } from './model';

describe('schema migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db.drop());

  it('builds every entity table, and a second run applies nothing', async () => {
    expect((await migrate(db.url)).length).toBeGreaterThan(0);
    expect(await migrate(db.url)).toEqual([]);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`select table_name from information_schema.tables where table_schema = 'public'`);
    await c.end();
    const tables = rows.map((r) => r.table_name);
    for (const t of ['subnet', 'neuron', 'stake_position', 'stake_event', 'market', 'provider', 'job', 'job_event']) {
      expect(tables).toContain(t);
    }
    expect(ENTITIES).toContain(Subnet);
  });

  it('leaves no difference between the entity classes and the migrated database', async () => {
    const ds = createDataSource({ url: db.url });
    await ds.initialize();
    const diff = await ds.driver.createSchemaBuilder().log();
    await ds.destroy();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });
});
