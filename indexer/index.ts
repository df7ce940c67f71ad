export { ChainChangedError, type GuardOutcome, type IndexedChain, prepareDatabase } from './chain-guard';
export { type IndexerConfig, loadConfig } from './config';
export { type BatchStats, createBatchHandler, type IndexedContracts, setupFamilies } from './handler';
export { createProcessor } from './processor';
export { fetchChainIdentity, RpcBadAnswerError, RpcUnavailableError } from './rpc';
