// Preloaded into `ponder start` (node --import) by bench/index/ponder.ts. Ponder 1.0.0 reads the
// historical events back from its sync store in pages of syncEventsQuerySize / (networks * 2) rows
// (10,000 / 2 = 5,000 here), and a page never splits a block: when one block holds more logs than a
// page, it drops that block and asks for the same range again, forever (no error, no progress). Our
// devnet has blocks of up to 9,216 logs (an epoch's NeuronEpoch events), so the page is raised to
// 50,000 rows. The option is hard-coded (ponder/dist/esm/internal/options.js, no flag or environment
// variable), so this hook rewrites that one line as the module loads.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

export const QUERY_SIZE = 100_000;

// The hooks run in a loader thread that imports this file again: register only from the main thread.
if (isMainThread) register(import.meta.url);

export async function load(url, context, nextLoad) {
  const r = await nextLoad(url, context);
  if (!url.endsWith('/ponder/dist/esm/internal/options.js')) return r;
  const src = String(r.source);
  if (!src.includes('syncEventsQuerySize: 10000,')) throw new Error(`ponder options: syncEventsQuerySize not found in ${url}`);
  return { ...r, source: src.replace('syncEventsQuerySize: 10000,', `syncEventsQuerySize: ${QUERY_SIZE},`) };
}
