// Reading entities from Postgres: root lists, lookups by id and relation pages, with per-request
// DataLoaders so that a page of 50 jobs with market and provider costs three statements, not 101.
import DataLoader from 'dataloader';
import type { EntitySpec } from './entities';
import { fromDatabaseError } from './errors';
import type { Where } from './sql/filter';
import {
  buildCountQuery,
  buildListQuery,
  buildPageInfo,
  type CheckedListArgs,
  checkListArgs,
  type ListArgs,
  type PageInfo,
} from './sql/list';
import { ident } from './sql/params';

export type Row = Record<string, unknown> & { id: string };

/** Runs one SQL statement with bound parameters and returns its rows. */
export type QueryFn = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface Page {
  items: Row[];
  pageInfo: PageInfo;
  /** A function, so that graphql-js runs the COUNT only when `totalCount` is selected. */
  totalCount: () => Promise<number>;
}

/** A relation of many rows: which entity, and its foreign-key column pointing at the parent. */
export interface ToMany {
  spec: EntitySpec;
  column: string;
  /** For a key over several columns: the condition tying a row to the parent key (sql/list.ts ParentKeys). */
  match?: (key: string) => string;
}

/** The data access of one GraphQL request; its loaders cache for that request only. */
export interface Store {
  list(spec: EntitySpec, args: ListArgs): Promise<Page>;
  /** The first row matching `where` (for lookups by a unique field). */
  findOne(spec: EntitySpec, where: Where): Promise<Row | null>;
  byId(spec: EntitySpec, id: string): Promise<Row | null>;
  related(rel: ToMany, parentId: string, args: ListArgs): Promise<Page>;
}

export function createStore(run: QueryFn): Store {
  const query = async (sql: string, params: unknown[]) => {
    try {
      return (await run(sql, params)) as Row[];
    } catch (err) {
      throw fromDatabaseError(err);
    }
  };

  const byIdLoaders = new Map<EntitySpec, DataLoader<string, Row | null>>();
  const byIdLoader = (spec: EntitySpec) => {
    let l = byIdLoaders.get(spec);
    if (!l) {
      l = new DataLoader<string, Row | null>(
        async (ids) => {
          const cols = Object.entries(spec.fields).map(([name, f]) => `${ident(f.column)} AS ${ident(name)}`);
          const rows = await query(`SELECT ${cols.join(', ')} FROM ${ident(spec.table)} WHERE "id" = ANY($1::text[])`, [ids]);
          const byId = new Map(rows.map((r) => [r.id, r]));
          return ids.map((id) => byId.get(id) ?? null);
        },
        { maxBatchSize: 1000 },
      );
      byIdLoaders.set(spec, l);
    }
    return l;
  };

  // One loader per (relation, arguments): parents asking for the same page shape share a statement.
  const relationLoaders = new Map<string, { page: DataLoader<string, Omit<Page, 'totalCount'>>; count: DataLoader<string, number> }>();
  const relationLoader = (rel: ToMany, args: CheckedListArgs) => {
    const key = `${rel.spec.table}.${rel.column}:${JSON.stringify(args)}`;
    let l = relationLoaders.get(key);
    if (!l) {
      l = {
        page: new DataLoader(
          async (ids) => {
            const st = buildListQuery(rel.spec, args, { column: rel.column, ids, match: rel.match });
            const rows = await query(st.sql, st.params);
            const groups = new Map<string, Row[]>(ids.map((id) => [id, []]));
            for (const { __parent, ...row } of rows) groups.get(__parent as string)?.push(row as Row);
            return ids.map((id) => buildPageInfo(groups.get(id) ?? [], args));
          },
          { maxBatchSize: 1000 },
        ),
        count: new DataLoader(async (ids) => {
          const st = buildCountQuery(rel.spec, args.where, { column: rel.column, ids, match: rel.match });
          const rows = await query(st.sql, st.params);
          const n = new Map(rows.map((r) => [r.__parent as string, r.n as number]));
          return ids.map((id) => n.get(id) ?? 0);
        }),
      };
      relationLoaders.set(key, l);
    }
    return l;
  };

  return {
    async list(spec, rawArgs) {
      const args = checkListArgs(spec, rawArgs);
      const st = buildListQuery(spec, args);
      const rows = await query(st.sql, st.params);
      const count = buildCountQuery(spec, args.where);
      return {
        ...buildPageInfo(rows, args),
        totalCount: async () => (await query(count.sql, count.params))[0].n as number,
      };
    },
    async findOne(spec, where) {
      const page = await this.list(spec, { where, first: 1 });
      return page.items[0] ?? null;
    },
    byId: (spec, id) => byIdLoader(spec).load(id),
    async related(rel, parentId, rawArgs) {
      const args = checkListArgs(rel.spec, rawArgs);
      const l = relationLoader(rel, args);
      return { ...(await l.page.load(parentId)), totalCount: () => l.count.load(parentId) };
    },
  };
}
