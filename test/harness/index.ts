export { createTestDatabase, type TestDatabase } from './db';
export { runLib, waitFor, type RunningProcess } from './processes';
