// The indexer process: checks the chain it is pointed at, prepares the database, then follows the
// chain with Subsquid's processor (hot blocks on, so a reorg rolls back its writes).
import path from 'node:path';
import { TypeormDatabase } from '@subsquid/typeorm-store';
import { readDeployment } from '../chain/deployment';
import { ChainChangedError, prepareDatabase } from './chain-guard';
import { ConfigError, exportSubsquidEnv, loadConfig } from './config';
import { createBatchHandler, setupFamilies } from './handler';
import { createProcessor } from './processor';
import { fetchChainIdentity, RpcBadAnswerError, RpcUnavailableError } from './rpc';

const log = (msg: string) => console.log(`indexer: ${msg}`);

/** Errors that need the user to fix something: one line, no stack. */
const USER_ERRORS = [ConfigError, RpcUnavailableError, RpcBadAnswerError, ChainChangedError];

async function main(): Promise<void> {
  const cfg = loadConfig();
  const deployment = readDeployment(cfg.deploymentFile);
  const chain = await fetchChainIdentity(cfg.rpcUrl);
  if (chain.chainId !== deployment.chainId) {
    throw new ChainChangedError(
      `RPC_URL serves chain ${chain.chainId} but ${cfg.deploymentFile} is a deployment on chain ${deployment.chainId}`,
    );
  }
  const contracts = { registry: deployment.contracts.registry, market: deployment.contracts.market };
  const outcome = await prepareDatabase(
    cfg.databaseUrl,
    cfg.rpcUrl,
    { ...chain, contracts: deployment.contracts, startBlock: deployment.startBlock },
    cfg.onChainChange,
  );
  if (outcome.action === 'reset') log(`${outcome.reason}; starting over with an empty index`);
  else if (outcome.action === 'resume') log(`resuming after block ${outcome.height}`);
  else log(`indexing chain ${chain.chainId} from block ${deployment.startBlock}`);

  exportSubsquidEnv(cfg);
  const processor = createProcessor({
    rpcUrl: cfg.rpcUrl,
    rateLimit: cfg.rpcRateLimit,
    finality: cfg.finality,
    headPollMs: cfg.headPollMs,
    fromBlock: deployment.startBlock,
  });
  setupFamilies(processor, contracts);
  let caughtUp = false;
  const handler = createBatchHandler(contracts, (s) => {
    if (s.isHead && !caughtUp) log(`caught up with the chain head at block ${s.height}; following it`);
    caughtUp ||= s.isHead;
  });
  // projectDir: where Subsquid looks for lib/model (see schema/lib/model).
  const db = new TypeormDatabase({ supportHotBlocks: true, projectDir: path.join(__dirname, '..', 'schema') });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0));
  processor.run(db, handler);
}

main().catch((err: unknown) => {
  if (USER_ERRORS.some((E) => err instanceof E) || (err as Error)?.name === 'DeploymentFileError') {
    console.error(`indexer: ${(err as Error).message}`);
  } else {
    console.error('indexer: failed', err);
  }
  process.exit(1);
});
