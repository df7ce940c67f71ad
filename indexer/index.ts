export { prepareDatabase, ChainChangedError, type IndexedChain, type GuardOutcome } from './chain-guard';
export { loadConfig, type IndexerConfig } from './config';
export { createBatchHandler, setupFamilies, type IndexedContracts, type BatchStats } from './handler';
export { createProcessor } from './processor';
export { fetchChainIdentity, RpcUnavailableError, RpcBadAnswerError } from './rpc';
