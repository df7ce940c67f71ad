export { createTestDatabase, insertRow, statementRecorder, type TestDatabase } from './db';
export { chainHead, dumpTables, indexedHeight, startIndexer, waitForHead, writeTempDeployment } from './indexing';
export { type RunningProcess, runLib, waitFor, writeTsHook } from './processes';
export { type ProxyMode, type RpcProxy, startRpcProxy } from './rpc-proxy';
