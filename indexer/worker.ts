// The indexing worker: Subsquid's processor following the chain (hot blocks on, so a reorg within
// the finality window rolls its writes back). Run by main.ts, which has already prepared the
// database for this chain; any error ends this process and main.ts decides what comes next.
import path from 'node:path';
import { TypeormDatabase } from '@subsquid/typeorm-store';
import { readDeployment } from '../chain';
import { loadConfig } from './config';
import { createBatchHandler, setupFamilies } from './handler';
import type { WorkerMessage } from './metrics';
import { createProcessor } from './processor';

const cfg = loadConfig();
const deployment = readDeployment(cfg.deploymentFile);
const contracts = deployment.contracts;
const processor = createProcessor({
  rpcUrl: cfg.rpcUrl,
  rateLimit: cfg.rpcRateLimit,
  capacity: cfg.rpcCapacity,
  finality: cfg.finality,
  headPollMs: cfg.headPollMs,
  fromBlock: deployment.startBlock,
  batchLogs: cfg.batchLogs,
});
setupFamilies(processor, contracts);
// Batches report to the supervisor, which keeps the metrics and prints progress. A batch that starts
// at or below a block already processed follows a rollback of the hot blocks above it: a reorg.
let processed = -1;
const handler = createBatchHandler(contracts, (s) => {
  if (processed >= 0 && s.from <= processed) send({ type: 'reorg', depth: processed - s.from + 1 });
  processed = s.height;
  send({ type: 'batch', ...s });
  // A backfill batch leaves tens of MB of logs and entities behind; V8 would let several batches of
  // them pile up before collecting. Collected now, the resident memory stays near one batch's worth.
  if (s.events >= LARGE_BATCH) collectGarbage();
});
const LARGE_BATCH = 5_000;
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});
function send(msg: WorkerMessage): void {
  process.send?.(msg);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0));
// The supervisor is gone (even by SIGKILL): stop, so that a restarted one never races a stray writer.
process.on('disconnect', () => process.exit(0));
// projectDir: where Subsquid looks for lib/model (see schema/lib/model).
const run = () => processor.run(new TypeormDatabase({ supportHotBlocks: true, projectDir: path.join(__dirname, '..', 'schema') }), handler);
// The supervisor spawns this process while it prepares the database (migrations, a reset), and says
// when to start; run without a supervisor, it starts at once.
if (process.send) process.once('message', (m: { type?: string }) => m?.type === 'start' && run());
else run();
