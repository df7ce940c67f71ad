// Connecting to the indexed database and applying the committed migrations (migrations/*.js).
// The naming strategy is Subsquid's, so tables and columns match what its processor writes.
import path from 'node:path';
import { SnakeNamingStrategy } from '@subsquid/typeorm-config/lib/namingStrategy';
import { DataSource } from 'typeorm';
import * as model from './model';

/** The repository root, from both the TypeScript sources and the compiled lib/ tree. */
export const PROJECT_ROOT = findRoot(__dirname);
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

function findRoot(dir: string): string {
  // schema/ → root, lib/schema/ → root
  const up = path.resolve(dir, '..');
  return path.basename(up) === 'lib' ? path.resolve(up, '..') : up;
}

/** The entity classes (the generated module also exports enums, which are plain objects). */
// biome-ignore lint/complexity/noBannedTypes: TypeORM's own type for entity classes
export const ENTITIES: Function[] = Object.values(model).filter((v) => typeof v === 'function');

export interface DataSourceOptions {
  url: string;
  /** Postgres statement_timeout for every query of this pool, in ms (0: none). */
  statementTimeoutMs?: number;
  poolSize?: number;
  migrations?: boolean;
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    namingStrategy: new SnakeNamingStrategy(),
    entities: ENTITIES,
    migrations: opts.migrations ? [path.join(MIGRATIONS_DIR, '*.js')] : [],
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    },
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const ds = createDataSource({ url, migrations: true, poolSize: 1 });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Whether some committed migration is not applied to this database yet. */
export async function hasPendingMigrations(url: string): Promise<boolean> {
  const ds = createDataSource({ url, migrations: true, poolSize: 1 });
  await ds.initialize();
  try {
    return await ds.showMigrations();
  } finally {
    await ds.destroy();
  }
}
