// The inference service: every model of the registry loaded into its own session with a batcher in
// front, address scoring from Postgres, and the HTTP server. createInferenceService is what main.ts
// and other folders' tests start; it takes explicit options (they win over any environment).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { type Batcher, createBatcher } from './batcher';
import { InferenceErrorCode as Code, InferenceRequestError, ModelLoadError, PortInUseError } from './errors';
import {
  buildFeatureMatrix,
  buildFeatureRecord,
  isProviderFeature,
  type ProviderFeatureName,
  type ProviderRow,
} from './features/provider-features';
import { fetchProviderRows } from './features/provider-rows';
import { createHttpHandler } from './http';
import { consoleLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { DEFAULT_MODEL_DIR } from './paths';
import type { ModelManifest } from './registry/manifest';
import { type LoadedModel, listRegistry, loadModel } from './registry/registry';
import { parseScoreRequest, type ScoreRequest } from './score-request';
import type { ExecutionProviderName } from './session';

export interface InferenceServiceOptions {
  /** Postgres with the indexed provider table; without it only `rows` requests can be scored. */
  databaseUrl?: string;
  /** Registry directory; default the repo's inference/models. */
  modelDir?: string;
  /** Model used when a request names none; default provider-reputation. */
  modelName?: string;
  /** Execution providers in order of preference; default ['cpu']. */
  providers?: readonly ExecutionProviderName[];
  /** Most rows per onnxruntime run; default 256. */
  maxBatch?: number;
  /** Longest wait for more requests before a run; default 2 ms. */
  maxWaitMs?: number;
  /** Most rows or addresses per request; default 10,000. */
  maxRequestRows?: number;
  logger?: Logger;
}

export interface ModelInfo {
  name: string;
  version: number;
  inputs: string[];
}

export interface ScoreResult {
  address?: string;
  score: number;
  features: Record<string, number>;
}

export interface ScoreResponse {
  model: { name: string; version: number };
  executionProvider: ExecutionProviderName;
  results: ScoreResult[];
}

export interface HealthResponse {
  status: 'ok';
  executionProvider: ExecutionProviderName;
  models: ModelInfo[];
}

export interface InferenceService {
  /** Starts the HTTP server (port 0: any free port). Rejects with PortInUseError when taken. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Scores a /score request body in-process; throws InferenceRequestError as HTTP would answer. */
  score(request: ScoreRequest | unknown): Promise<ScoreResponse>;
  health(): HealthResponse;
  /** Prometheus text of /metrics. */
  metrics(): string;
  /** The default model and the execution provider it runs on. */
  readonly model: { name: string; version: number };
  readonly executionProvider: ExecutionProviderName;
  /** Stops the server (open connections are cut after a short grace), drains batchers, frees sessions and the pool. */
  close(): Promise<void>;
}

interface ServedModel extends LoadedModel {
  batcher: Batcher;
  /** Provider features in input order when every input is one; else addresses cannot be scored. */
  addressFeatures: ProviderFeatureName[] | null;
}

export const DEFAULT_MODEL_NAME = 'provider-reputation';

/**
 * Loads every model of the registry (newest version of each) and returns the service.
 * Fails with a ModelLoadError subclass when any model is corrupt or disagrees with its manifest.
 *
 * @example
 * const svc = await createInferenceService({ databaseUrl });
 * const { url } = await svc.listen(0);
 */
export async function createInferenceService(opts: InferenceServiceOptions = {}): Promise<InferenceService> {
  const logger = opts.logger ?? consoleLogger;
  const modelDir = opts.modelDir ?? DEFAULT_MODEL_DIR;
  const defaultName = opts.modelName ?? DEFAULT_MODEL_NAME;
  const providers = opts.providers ?? ['cpu'];
  const maxBatch = opts.maxBatch ?? 256;
  const maxWaitMs = opts.maxWaitMs ?? 2;
  const maxRequestRows = opts.maxRequestRows ?? 10_000;
  const metrics: Metrics = createMetrics();

  const entries = listRegistry(modelDir);
  if (!entries.some((e) => e.name === defaultName)) {
    throw new ModelLoadError(
      modelDir,
      `default model "${defaultName}" is not in the registry (found: ${entries.map((e) => e.name).join(', ') || 'none'})`,
    );
  }
  const models = new Map<string, ServedModel>();
  try {
    for (const entry of entries) {
      const loaded = await loadModel(entry, providers, logger);
      const m = loaded.manifest;
      const width = m.inputs.length;
      const batcher = createBatcher({
        width,
        maxBatch,
        maxWaitMs,
        run: (rows, n) => loaded.session.run(m.inputTensor, m.output.name, rows, n, width),
        onBatch: (n) => metrics.batch(m.name, n),
      });
      const addressFeatures = m.inputs.every(isProviderFeature) ? (m.inputs as ProviderFeatureName[]) : null;
      models.set(m.name, { ...loaded, batcher, addressFeatures });
    }
  } catch (err) {
    await Promise.all([...models.values()].map((m) => m.session.release()));
    throw err;
  }
  const primary = models.get(defaultName) as ServedModel;
  const pool = opts.databaseUrl ? new Pool({ connectionString: opts.databaseUrl, max: 4 }) : null;
  // An idle client's error (e.g. Postgres restarting) must not crash the process; the next query reports it.
  pool?.on('error', (err) => logger.warn(`inference: postgres pool error: ${err.message}`));

  const requestContext = {
    defaultModel: defaultName,
    models: new Map([...models].map(([name, m]) => [name, { inputs: m.manifest.inputs }])),
    maxRows: maxRequestRows,
  };

  async function score(body: unknown): Promise<ScoreResponse> {
    const req = parseScoreRequest(body, requestContext);
    const model = models.get(req.model) as ServedModel;
    const m: ModelManifest = model.manifest;
    let results: ScoreResult[];
    if (req.kind === 'rows') {
      const scores = await model.batcher.submit(req.matrix, req.rows.length);
      results = req.rows.map((row, r) => ({
        score: scores[r] as number,
        features: Object.fromEntries(m.inputs.map((name, c) => [name, row[c] as number])),
      }));
    } else {
      if (!model.addressFeatures) {
        throw new InferenceRequestError(
          Code.INVALID_REQUEST,
          `model "${m.name}" takes inputs that cannot be computed from an address; send "rows"`,
        );
      }
      if (!pool)
        throw new InferenceRequestError(Code.ADDRESS_SCORING_UNAVAILABLE, 'address scoring needs DATABASE_URL; send "rows" instead');
      const byAddress = await fetchProviderRows(pool, req.addresses);
      const unknown = req.addresses.filter((a) => !byAddress.has(a));
      if (unknown.length > 0) {
        const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? `, and ${unknown.length - 5} more` : '');
        throw new InferenceRequestError(Code.UNKNOWN_ADDRESS, `no provider registered at ${shown}`);
      }
      const rows = req.addresses.map((a) => byAddress.get(a) as ProviderRow);
      const scores = await model.batcher.submit(buildFeatureMatrix(rows, model.addressFeatures), rows.length);
      results = rows.map((row, r) => ({
        address: row.address,
        score: scores[r] as number,
        features: buildFeatureRecord(row, model.addressFeatures as ProviderFeatureName[]),
      }));
    }
    metrics.rowsScored(m.name, results.length);
    return { model: { name: m.name, version: m.version }, executionProvider: model.executionProvider, results };
  }

  function health(): HealthResponse {
    return {
      status: 'ok',
      executionProvider: primary.executionProvider,
      models: [...models.values()].map((m) => ({ name: m.manifest.name, version: m.manifest.version, inputs: [...m.manifest.inputs] })),
    };
  }

  let server: http.Server | null = null;
  let closing: Promise<void> | null = null;

  return {
    model: { name: primary.manifest.name, version: primary.manifest.version },
    executionProvider: primary.executionProvider,
    score,
    health,
    metrics: () => metrics.render(),
    listen(port, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error('inference service is already listening'));
      const srv = http.createServer(createHttpHandler({ score, health, metrics, logger }));
      server = srv;
      return new Promise((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => {
          server = null;
          reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, host) : err);
        });
        srv.listen(port, host, () => {
          const addr = srv.address() as AddressInfo;
          const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${shownHost}:${addr.port}`, port: addr.port });
        });
      });
    },
    close() {
      closing ??= (async () => {
        if (server) await closeServer(server, 1000);
        await Promise.all([...models.values()].map((m) => m.batcher.close()));
        await Promise.all([...models.values()].map((m) => m.session.release()));
        await pool?.end();
      })();
      return closing;
    },
  };
}

// Stops accepting, lets in-flight requests finish for graceMs, then cuts keep-alive and slow sockets.
function closeServer(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
