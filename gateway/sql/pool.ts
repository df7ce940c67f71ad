// The gateway's statements straight on TypeORM's pg pool, as named prepared statements: Postgres
// parses and plans each statement text once per connection instead of once per request, and the
// request skips TypeORM's query runner. The DataSource's logger still sees every statement (tests
// count them through it).
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { fromDatabaseError } from '../errors';
import type { QueryFn } from '../store';
import type { JsonTextQuery } from './fast';

/**
 * Distinct statement texts prepared by name; past this, statements run unnamed (planned each time).
 * Each connection of the pool keeps its own copy of every plan, so the bound keeps the backends'
 * memory bounded too; a frontend's query shapes are a few dozen.
 */
const MAX_PREPARED = 200;

/** Every column as the text Postgres sent: the fast lane passes JSON through unparsed. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

export interface PoolQueries {
  query: QueryFn;
  /** The first column of the first row as Postgres wrote it (null without rows). */
  jsonText: JsonTextQuery;
}

export function createPoolQueries(dataSource: DataSource): PoolQueries {
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `gw_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };
  const pool = () => (dataSource.driver as unknown as { master?: Pool }).master;
  return {
    // Errors the caller can act on (the statement timeout) come out classified, whichever resolver ran the statement.
    async query(sql, params) {
      const p = pool();
      dataSource.logger.logQuery(sql, params);
      try {
        if (!p) return await dataSource.query(sql, params);
        const res = await p.query({ name: nameOf(sql), text: sql, values: params });
        return res.rows;
      } catch (err) {
        throw fromDatabaseError(err);
      }
    },
    async jsonText(sql, params) {
      const p = pool();
      dataSource.logger.logQuery(sql, params);
      if (!p) throw new Error('the pool is not open');
      try {
        const res = await p.query({ name: nameOf(sql), text: sql, values: params, types: TEXT_TYPES, rowMode: 'array' });
        const row = res.rows[0] as unknown[] | undefined;
        return row === undefined || row[0] === null ? null : (row[0] as string);
      } catch (err) {
        throw fromDatabaseError(err);
      }
    },
  };
}
