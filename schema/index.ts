export { createDataSource, type DataSourceOptions, ENTITIES, hasPendingMigrations, MIGRATIONS_DIR, migrate, PROJECT_ROOT } from './db';
export * from './model';
