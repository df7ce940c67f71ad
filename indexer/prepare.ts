// Run by the supervisor (main.ts) as a short-lived child process: prepares the database for the chain
// (chain-guard.ts: migrations, resume or reset) and answers with the outcome over IPC. Migrations
// need TypeORM and the models, which the supervisor would otherwise keep in memory for its whole
// life beside the worker that does the indexing.
import { ChainChangedError, type IndexedChain, prepareDatabase } from './chain-guard';

export interface PrepareRequest {
  databaseUrl: string;
  rpcUrl: string;
  current: IndexedChain;
  onChainChange: 'reset' | 'refuse';
}

export type PrepareAnswer =
  | { ok: true; outcome: Awaited<ReturnType<typeof prepareDatabase>> }
  | { ok: false; chainChanged: boolean; message: string };

// The supervisor is gone (even by SIGKILL): stop at once, as it would have, before a restarted one
// prepares the same database.
process.on('disconnect', () => process.exit(1));
process.once('message', async (req: PrepareRequest) => {
  let answer: PrepareAnswer;
  try {
    answer = { ok: true, outcome: await prepareDatabase(req.databaseUrl, req.rpcUrl, req.current, req.onChainChange) };
  } catch (err) {
    answer = { ok: false, chainChanged: err instanceof ChainChangedError, message: (err as Error).message };
  }
  process.send?.(answer, () => process.exit(0));
});
