// The indexing worker: Subsquid's processor following the chain (hot blocks on, so a reorg within
// the finality window rolls its writes back). Run by main.ts, which has already prepared the
// database for this chain; any error ends this process and main.ts decides what comes next.
import path from 'node:path';
import { TypeormDatabase } from '@subsquid/typeorm-store';
import { readDeployment } from '../chain';
import { exportSubsquidEnv, loadConfig } from './config';
import { createBatchHandler, setupFamilies } from './handler';
import { createProcessor } from './processor';

const cfg = loadConfig();
const deployment = readDeployment(cfg.deploymentFile);
const contracts = { registry: deployment.contracts.registry, market: deployment.contracts.market };
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
  if (s.isHead && !caughtUp) console.log(`indexer: caught up with the chain head at block ${s.height}; following it`);
  caughtUp ||= s.isHead;
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0));
// projectDir: where Subsquid looks for lib/model (see schema/lib/model).
processor.run(new TypeormDatabase({ supportHotBlocks: true, projectDir: path.join(__dirname, '..', 'schema') }), handler);
