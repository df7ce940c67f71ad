export * from './model';
export { createDataSource, type DataSourceOptions, ENTITIES, MIGRATIONS_DIR, migrate, PROJECT_ROOT } from './db';
