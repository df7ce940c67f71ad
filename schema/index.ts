export { createDataSource, type DataSourceOptions, ENTITIES, MIGRATIONS_DIR, migrate, PROJECT_ROOT } from './db';
export * from './model';
