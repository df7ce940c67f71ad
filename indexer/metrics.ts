// Prometheus metrics of the indexer, kept by the supervisor (main.ts) from what its worker reports
// per batch, and served on INDEXER_METRICS_PORT.
import http from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the worker sends after each committed batch (IPC). */
export interface BatchMessage {
  type: 'batch';
  /** first and last block of the batch */
  from: number;
  height: number;
  blocks: number;
  events: number;
  rows: number;
  isHead: boolean;
  ms: number;
}
export interface ReorgMessage {
  type: 'reorg';
  /** how many already processed blocks were rolled back */
  depth: number;
}
export type WorkerMessage = BatchMessage | ReorgMessage;

export function createIndexerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gridmind_indexer_process_' });
  const registers = [registry];
  const m = {
    height: new Gauge({ name: 'gridmind_indexer_height', help: 'Last block committed to the database', registers }),
    head: new Gauge({ name: 'gridmind_indexer_chain_head', help: 'Chain head seen at the RPC', registers }),
    lag: new Gauge({ name: 'gridmind_indexer_lag_blocks', help: 'Chain head minus last committed block', registers }),
    events: new Counter({ name: 'gridmind_indexer_events_total', help: 'Chain events indexed', registers }),
    blocks: new Counter({ name: 'gridmind_indexer_blocks_total', help: 'Blocks processed', registers }),
    rows: new Counter({ name: 'gridmind_indexer_rows_written_total', help: 'Rows inserted or upserted', registers }),
    batches: new Counter({ name: 'gridmind_indexer_batches_total', help: 'Batches committed', registers }),
    batchSeconds: new Histogram({
      name: 'gridmind_indexer_batch_duration_seconds',
      help: 'Handler time per batch (decode, load, apply, write)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    reorgs: new Counter({ name: 'gridmind_indexer_reorgs_total', help: 'Reorgs handled', labelNames: ['kind'] as const, registers }),
    reorgDepth: new Gauge({ name: 'gridmind_indexer_last_reorg_depth_blocks', help: 'Depth of the last reorg', registers }),
    rpcErrors: new Counter({ name: 'gridmind_indexer_rpc_errors_total', help: 'RPC errors (retried)', registers }),
    restarts: new Counter({ name: 'gridmind_indexer_worker_restarts_total', help: 'Worker restarts after a failure', registers }),
  };
  let lastHead: number | null = null;
  let lastHeight = -1;
  const updateLag = () => {
    if (lastHead !== null && lastHeight >= 0) m.lag.set(Math.max(0, lastHead - lastHeight));
  };
  return {
    registry,
    onWorkerMessage(msg: WorkerMessage): void {
      if (msg.type === 'reorg') {
        m.reorgs.inc({ kind: 'hot' });
        m.reorgDepth.set(msg.depth);
        return;
      }
      lastHeight = msg.height;
      m.height.set(msg.height);
      m.events.inc(msg.events);
      m.blocks.inc(msg.blocks);
      m.rows.inc(msg.rows);
      m.batches.inc();
      m.batchSeconds.observe(msg.ms / 1000);
      updateLag();
    },
    onDeepReorg(): void {
      m.reorgs.inc({ kind: 'deep' });
    },
    onRpcError(): void {
      m.rpcErrors.inc();
    },
    onRestart(): void {
      m.restarts.inc();
    },
    setHead(head: number): void {
      lastHead = head;
      m.head.set(head);
      updateLag();
    },
    /** Serves GET /metrics; resolves once listening. */
    serve(port: number, host = '127.0.0.1'): Promise<http.Server> {
      const server = http.createServer(async (req, res) => {
        if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(await registry.metrics());
        } else {
          res.writeHead(404).end('not found\n');
        }
      });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server));
      });
    },
  };
}

export type IndexerMetrics = ReturnType<typeof createIndexerMetrics>;
