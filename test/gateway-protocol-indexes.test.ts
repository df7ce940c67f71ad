// "Indexes exist for every filter and sort the gateway offers": the entity specs (gateway/entities.ts)
// checked against the indexes that the committed migrations build. A field offered in `where` or
// `orderBy` without an index leading with its column would make that query a sequential scan of a
// table that grows with the chain; this test makes adding one a visible decision.
import { Client } from 'pg';
import { ENTITY_SPECS } from '../gateway';
import { filterOps } from '../gateway/sql/filter';
import { createTestDatabase, type TestDatabase } from './harness';

// Lookup tables with one row per subnet or market (tens of rows): a scan is as fast as an index,
// so every column stays filterable and sortable there.
const SMALL_TABLES = new Set(['subnet', 'market']);

let db: TestDatabase;
let pg: Client;
/** table → leading column of each of its indexes (primary keys included) */
const leading = new Map<string, Set<string>>();
/** table → its columns */
const columns = new Map<string, Set<string>>();
/** table → the column lists of its indexes, as "a,b" */
const indexColumns = new Map<string, Set<string>>();

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  const idx = await pg.query<{ tablename: string; indexdef: string }>(
    `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
  );
  for (const { tablename, indexdef } of idx.rows) {
    // CREATE [UNIQUE] INDEX name ON public.t USING btree (col1, col2)
    const m = /USING \w+ \(([^,)]+)/.exec(indexdef);
    if (!m) throw new Error(`unparsed index: ${indexdef}`);
    const set = leading.get(tablename) ?? new Set();
    set.add(m[1].trim().replace(/^"|"$/g, ''));
    leading.set(tablename, set);
    const all = /USING \w+ \(([^)]+)\)/
      .exec(indexdef)![1]!
      .split(',')
      .map((c) => c.trim().replace(/^"|"$/g, ''));
    indexColumns.set(tablename, (indexColumns.get(tablename) ?? new Set()).add(all.join(',')));
  }
  const cols = await pg.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  for (const { table_name, column_name } of cols.rows) {
    const set = columns.get(table_name) ?? new Set();
    set.add(column_name);
    columns.set(table_name, set);
  }
});

afterAll(async () => {
  await pg?.end();
  await db?.drop();
});

const specs = Object.values(ENTITY_SPECS);

it('reads the indexes of the migrated database', () => {
  // Guards the parsing above: a known composite index (subnet_id, uid) and a primary key.
  expect([...(leading.get('neuron') ?? [])]).toEqual(expect.arrayContaining(['id', 'subnet_id', 'uid', 'stake']));
});

describe.each(specs.map((s) => [s.name, s] as const))('%s', (_name, spec) => {
  it('names only columns its table has', () => {
    const cols = columns.get(spec.table);
    expect(cols).toBeDefined();
    const missing = Object.values(spec.fields)
      .map((f) => f.column)
      .filter((c) => !cols?.has(c));
    expect(missing).toEqual([]);
  });

  it('offers filters and sorts only on columns an index leads with', () => {
    if (SMALL_TABLES.has(spec.table)) return;
    const indexed = leading.get(spec.table) ?? new Set<string>();
    const unindexed = Object.entries(spec.fields)
      .filter(([, f]) => (f.sortable || filterOps(f).length > 0) && !indexed.has(f.column))
      .map(([name, f]) => `${name} (${f.column})`);
    expect(unindexed).toEqual([]);
  });

  // Pages sort by (order, id): with id in the index, each related row's scan stops at its first rows
  // instead of sorting every tie of the order column (job payments tie often).
  it('has an index on (foreign key, order, id) for every fan-out order of a relation', () => {
    const missing = Object.entries(spec.fields).flatMap(([name, f]) =>
      (f.fanOutOrders ?? [])
        .map((order) => `${f.column},${spec.fields[order]?.column},id`)
        .filter((cols) => ![...(indexColumns.get(spec.table) ?? [])].some((ix) => ix === cols || ix.startsWith(`${cols},`)))
        .map((cols) => `${name}: (${cols})`),
    );
    expect(missing).toEqual([]);
  });

  it('sorts by default on a sortable field', () => {
    expect(spec.fields[spec.defaultOrderBy]?.sortable).toBe(true);
  });
});
