export { createTestDatabase, type TestDatabase } from './db';
export { type RunningProcess, runLib, waitFor } from './processes';
