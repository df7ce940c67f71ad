// Loading the rows a batch touches: one plain SELECT per entity type, turned into entities with
// TypeORM's own value conversion (bigint transformers, NULLs) but without its query builder and
// relation joins, which cost several times the query itself (tens of µs per row). A many-to-one
// relation comes back as a stub of the related entity that holds only its id: what the handlers
// read from it, and all an upsert writes of it.
import type { EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type EntityClass = abstract new (...args: never[]) => unknown;
type Hydrate<E> = (row: Record<string, unknown>) => E;

const hydrators = new Map<unknown, Hydrate<unknown>>();

function hydratorFor<E>(em: EntityManager, cls: EntityClass): Hydrate<E> {
  const known = hydrators.get(cls);
  if (known) return known as Hydrate<E>;
  const meta = em.connection.getMetadata(cls);
  const driver = em.connection.driver;
  const target = meta.target as new () => Record<string, unknown>;
  const columns = meta.columns.map((c: ColumnMetadata) => {
    const rel = c.relationMetadata;
    if (rel) {
      const Related = rel.inverseEntityMetadata.target as new (props: { id: unknown }) => unknown;
      return (e: Record<string, unknown>, row: Record<string, unknown>) => {
        const id = row[c.databaseName];
        e[c.propertyName] = id === null || id === undefined ? null : new Related({ id });
      };
    }
    return (e: Record<string, unknown>, row: Record<string, unknown>) => {
      e[c.propertyName] = driver.prepareHydratedValue(row[c.databaseName], c);
    };
  });
  const hydrate: Hydrate<E> = (row) => {
    const e = new target();
    for (const set of columns) set(e, row);
    return e as E;
  };
  hydrators.set(cls, hydrate);
  return hydrate;
}

/** The entities whose `column` (a text column, e.g. id) is one of `values`: one query. */
export async function loadWhere<E>(em: EntityManager, cls: EntityClass, column: string, values: readonly string[]): Promise<E[]> {
  if (values.length === 0) return [];
  const meta = em.connection.getMetadata(cls);
  const col = meta.findColumnWithPropertyName(column);
  if (!col) throw new Error(`${meta.name} has no column ${column}`);
  const rows: Record<string, unknown>[] = await em.query(
    `SELECT * FROM "${meta.tableName}" WHERE "${col.databaseName}" = ANY($1::text[])`,
    [values],
  );
  const hydrate = hydratorFor<E>(em, cls);
  return rows.map(hydrate);
}
