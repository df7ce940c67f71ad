// The gateway's statements straight on TypeORM's pg pool, as named prepared statements: Postgres
// parses and plans each statement text once per connection instead of once per request, and the
// request skips TypeORM's query runner. The DataSource's logger still sees every statement (tests
// count them through it).
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { QueryFn } from '../store';

/**
 * Distinct statement texts prepared by name; past this, statements run unnamed (planned each time).
 * Each connection of the pool keeps its own copy of every plan, so the bound keeps the backends'
 * memory bounded too; a frontend's query shapes are a few dozen.
 */
const MAX_PREPARED = 200;

export function createPoolQuery(dataSource: DataSource): QueryFn {
  const names = new Map<string, string>();
  return async (sql, params) => {
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    dataSource.logger.logQuery(sql, params);
    if (!pool) return dataSource.query(sql, params);
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `gw_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
      names.set(sql, name);
    }
    const res = await pool.query({ name, text: sql, values: params });
    return res.rows;
  };
}
