// The inference service: every model of the registry loaded into its own session with a batcher in
// front, address scoring from Postgres, hot reload of new versions, and the HTTP server.
// createInferenceService is what main.ts and other folders' tests start; it takes explicit options
// (they win over any environment).
//
// Hot reload: the served models live in one immutable snapshot. A request takes the snapshot once,
// holds a reference on its model until it is answered, and so finishes on the session it started
// on; reload() loads every new version first (all or nothing), swaps the snapshot, and retires the
// old models: each is released once its last request is answered.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { type Batcher, createBatcher, DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT_MS } from './batcher';
import { InferenceErrorCode as Code, InferenceRequestError, ModelIncompatibleError, ModelLoadError, PortInUseError } from './errors';
import {
  buildFeatureMatrix,
  buildFeatureRecord,
  isProviderFeature,
  type ProviderFeatureName,
  type ProviderRow,
} from './features/provider-features';
import { buildHistoryFeatureRows, isProviderHistoryFeature, type ProviderHistoryFeatureName } from './features/provider-history';
import { fetchProviderHistory } from './features/provider-history-rows';
import { fetchProviderRows } from './features/provider-rows';
import { createHttpHandler } from './http';
import { consoleLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { DEFAULT_MODEL_DIR } from './paths';
import type { ModelManifest } from './registry/manifest';
import { type LoadedModel, listRegistry, loadModel, type RegistryEntry, resolveEntry, type VersionSelector } from './registry/registry';
import { parseScoreRequest, type ScoreRequest, type ScoreRequestContext } from './score-request';
import type { ExecutionProviderName } from './session';

export interface InferenceServiceOptions {
  /** Postgres with the indexed provider table; without it only `rows` requests can be scored. */
  databaseUrl?: string;
  /** Registry directory; default the repo's inference/models. */
  modelDir?: string;
  /** Model used when a request names none; default provider-reputation. */
  modelName?: string;
  /** Version of the default model to serve (reload keeps to it); default 'latest'. Other models serve their newest. */
  modelVersion?: VersionSelector;
  /** Bearer token of POST /admin/reload; without one the admin routes answer 403 ADMIN_DISABLED. */
  adminToken?: string;
  /** Execution providers in order of preference; default ['cpu']. */
  providers?: readonly ExecutionProviderName[];
  /** Most rows per onnxruntime run; default 256 (DEFAULT_MAX_BATCH, as INFERENCE_MAX_BATCH). */
  maxBatch?: number;
  /**
   * Longest wait for more requests before a run; default 0 (DEFAULT_MAX_WAIT_MS, as INFERENCE_MAX_WAIT_MS): until
   * the end of the event-loop turn, which batches what arrived together without adding latency.
   */
  maxWaitMs?: number;
  /** onnxruntime intra-op threads per session; default 1 (batches are small; see session.ts). */
  intraOpThreads?: number;
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
  /** Replaced versions still answering requests that started on them; released once inFlight reaches 0. */
  draining: { name: string; version: number; inFlight: number }[];
}

export interface ReloadOptions {
  /** Only this model; default every model of the registry (models new to the registry are added). */
  model?: string;
  /** Version to load; default the configured selector for the default model, 'latest' for the others. A lower number rolls back. */
  version?: VersionSelector;
  /** Accept a version whose input columns differ from the one serving (clients sending rows must follow). */
  allowInputChange?: boolean;
}

export interface ReloadResponse {
  /** One entry per model considered; `previousVersion` is null for a model new to the service. */
  models: { name: string; version: number; previousVersion: number | null; changed: boolean; executionProvider: ExecutionProviderName }[];
}

export interface InferenceService {
  /** Starts the HTTP server (port 0: any free port). Rejects with PortInUseError when taken. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Scores a /score request body in-process; throws InferenceRequestError as HTTP would answer. */
  score(request: ScoreRequest | unknown): Promise<ScoreResponse>;
  health(): HealthResponse;
  /** Prometheus text of /metrics. */
  metrics(): string;
  /**
   * Loads new model versions and swaps them in without dropping a request: requests in flight finish
   * on the old session, which is released once they are answered. A version that is corrupt, disagrees
   * with its manifest or changes the input columns throws a ModelLoadError subclass, and the old one
   * keeps serving. Reloads run one at a time.
   */
  reload(options?: ReloadOptions): Promise<ReloadResponse>;
  /** Resolves once every replaced model has been drained and released. */
  drained(): Promise<void>;
  /** The dynamic batcher's settings, as configured or defaulted. */
  readonly batching: { maxBatch: number; maxWaitMs: number };
  /** The default model and the execution provider it runs on (they change on reload). */
  readonly model: { name: string; version: number };
  readonly executionProvider: ExecutionProviderName;
  /** Stops the server (open connections are cut after a short grace), drains batchers, frees sessions and the pool. */
  close(): Promise<void>;
}

interface ServedModel extends LoadedModel {
  batcher: Batcher;
  /** Provider features in input order when every input is one; else addresses cannot be scored. */
  addressFeatures: ProviderFeatureName[] | null;
  /** Else, when every input is a history feature (trained versions): computed from job events at the index head. */
  historyFeatures: ProviderHistoryFeatureName[] | null;
  /** Requests holding this model, from parsing to answer. */
  inFlight: number;
  /** Set when a reload replaced it: released when inFlight reaches 0. */
  retired: { done: Promise<void>; resolve(): void } | null;
}

/** What one request sees: the models and the request rules made from them, swapped as a whole. */
interface Snapshot {
  models: ReadonlyMap<string, ServedModel>;
  ctx: ScoreRequestContext;
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
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const maxRequestRows = opts.maxRequestRows ?? 10_000;
  const metrics: Metrics = createMetrics();

  const defaultVersion = opts.modelVersion ?? 'latest';
  /** The version each model is held at ('latest' when absent): the configured one, then the last explicit reload. */
  const pins = new Map<string, VersionSelector>([[defaultName, defaultVersion]]);

  function serve(loaded: LoadedModel): ServedModel {
    const m = loaded.manifest;
    const width = m.inputs.length;
    const batcher = createBatcher({
      width,
      maxBatch,
      maxWaitMs,
      run: (rows, n) => loaded.session.run(m.inputTensor, m.output.name, rows, n, width),
      onBatch: (n) => metrics.batch(m.name, n),
    });
    // v1's inputs are provider-table features; trained versions' are history features (a superset of names).
    const addressFeatures = m.inputs.every(isProviderFeature) ? (m.inputs as ProviderFeatureName[]) : null;
    const historyFeatures =
      !addressFeatures && m.inputs.every(isProviderHistoryFeature) ? (m.inputs as ProviderHistoryFeatureName[]) : null;
    return { ...loaded, batcher, addressFeatures, historyFeatures, inFlight: 0, retired: null };
  }

  function snapshotOf(models: ReadonlyMap<string, ServedModel>): Snapshot {
    return {
      models,
      ctx: {
        defaultModel: defaultName,
        models: new Map([...models].map(([name, m]) => [name, { inputs: m.manifest.inputs }])),
        maxRows: maxRequestRows,
      },
    };
  }

  /** Loads entries into served models; on any failure releases what it loaded and rethrows. */
  async function loadAll(entries: RegistryEntry[]): Promise<ServedModel[]> {
    const loaded: ServedModel[] = [];
    try {
      for (const entry of entries) loaded.push(serve(await loadModel(entry, providers, logger, { intraOpThreads: opts.intraOpThreads })));
      return loaded;
    } catch (err) {
      await Promise.all(loaded.map((m) => m.batcher.close().then(() => m.session.release())));
      throw err;
    }
  }

  const startEntries = listRegistry(modelDir).map((e) =>
    e.name === defaultName ? resolveEntry(modelDir, defaultName, defaultVersion) : e,
  );
  if (!startEntries.some((e) => e.name === defaultName)) {
    throw new ModelLoadError(
      modelDir,
      `default model "${defaultName}" is not in the registry (found: ${startEntries.map((e) => e.name).join(', ') || 'none'})`,
    );
  }
  let current: Snapshot = snapshotOf(new Map((await loadAll(startEntries)).map((m) => [m.manifest.name, m])));
  /** Replaced models still answering requests. */
  const draining = new Set<ServedModel>();

  const pool = opts.databaseUrl ? new Pool({ connectionString: opts.databaseUrl, max: 4 }) : null;
  // An idle client's error (e.g. Postgres restarting) must not crash the process; the next query reports it.
  pool?.on('error', (err) => logger.warn(`inference: postgres pool error: ${err.message}`));

  // Called when a retired model's last request is answered: its batcher is empty, so close() is immediate.
  function releaseRetired(model: ServedModel): void {
    const { name, version } = model.manifest;
    model.batcher
      .close()
      .then(() => model.session.release())
      .then(
        () => logger.info(`inference: released ${name}@${version} (drained)`),
        (err: unknown) => logger.warn(`inference: releasing ${name}@${version} failed: ${(err as Error).message}`),
      )
      .finally(() => {
        draining.delete(model);
        model.retired?.resolve();
      });
  }

  function retire(model: ServedModel): void {
    let resolve = () => {};
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    model.retired = { done, resolve };
    draining.add(model);
    if (model.inFlight === 0) releaseRetired(model);
  }

  async function score(body: unknown): Promise<ScoreResponse> {
    if (closing) throw new InferenceRequestError(Code.UNAVAILABLE, 'the inference service is shutting down');
    // Parse and take the model from the same snapshot, synchronously, so a reload cannot come between.
    const snap = current;
    const req = parseScoreRequest(body, snap.ctx);
    const model = snap.models.get(req.model) as ServedModel;
    model.inFlight += 1;
    try {
      return await scoreOn(model, req);
    } finally {
      model.inFlight -= 1;
      if (model.retired && model.inFlight === 0) releaseRetired(model);
    }
  }

  async function scoreOn(model: ServedModel, req: ReturnType<typeof parseScoreRequest>): Promise<ScoreResponse> {
    const m: ModelManifest = model.manifest;
    let results: ScoreResult[];
    if (req.kind === 'rows') {
      const scores = await model.batcher.submit(req.matrix, req.rows.length);
      results = req.rows.map((row, r) => ({
        score: scores[r] as number,
        features: Object.fromEntries(m.inputs.map((name, c) => [name, row[c] as number])),
      }));
    } else {
      if (!model.addressFeatures && !model.historyFeatures) {
        throw new InferenceRequestError(
          Code.INVALID_REQUEST,
          `model "${m.name}" takes inputs that cannot be computed from an address; send "rows"`,
        );
      }
      if (!pool)
        throw new InferenceRequestError(Code.ADDRESS_SCORING_UNAVAILABLE, 'address scoring needs DATABASE_URL; send "rows" instead');
      if (model.historyFeatures) {
        const names = model.historyFeatures;
        const hist = await fetchProviderHistory(pool, req.addresses);
        throwUnknown(req.addresses.filter((a) => !hist.providers.has(a)));
        const vectors = buildHistoryFeatureRows(hist.providers, hist.events, hist.head, req.addresses, names);
        const matrix = new Float32Array(vectors.length * names.length);
        vectors.forEach((x, r) => {
          matrix.set(x, r * names.length);
        });
        const scores = await model.batcher.submit(matrix, vectors.length);
        results = req.addresses.map((address, r) => ({
          address,
          score: scores[r] as number,
          features: Object.fromEntries(names.map((name, c) => [name, (vectors[r] as number[])[c] as number])),
        }));
      } else {
        const byAddress = await fetchProviderRows(pool, req.addresses);
        throwUnknown(req.addresses.filter((a) => !byAddress.has(a)));
        const rows = req.addresses.map((a) => byAddress.get(a) as ProviderRow);
        const scores = await model.batcher.submit(buildFeatureMatrix(rows, model.addressFeatures as ProviderFeatureName[]), rows.length);
        results = rows.map((row, r) => ({
          address: row.address,
          score: scores[r] as number,
          features: buildFeatureRecord(row, model.addressFeatures as ProviderFeatureName[]),
        }));
      }
    }
    metrics.rowsScored(m.name, results.length);
    return { model: { name: m.name, version: m.version }, executionProvider: model.executionProvider, results };
  }

  function throwUnknown(unknown: readonly string[]): void {
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? `, and ${unknown.length - 5} more` : '');
    throw new InferenceRequestError(Code.UNKNOWN_ADDRESS, `no provider registered at ${shown}`);
  }

  async function reloadNow(options: ReloadOptions): Promise<ReloadResponse> {
    if (closing) throw new ModelLoadError(modelDir, 'the service is closing');
    const served = current.models;
    const selectorFor = (name: string): VersionSelector => options.version ?? pins.get(name) ?? 'latest';
    let targets: RegistryEntry[];
    if (options.model !== undefined) {
      targets = [resolveEntry(modelDir, options.model, selectorFor(options.model))];
    } else {
      if (options.version !== undefined) throw new ModelLoadError(modelDir, 'a version needs a model name');
      // Every model of the registry, and every model serving now (it must still be there).
      const names = new Set([...listRegistry(modelDir).map((e) => e.name), ...served.keys()]);
      targets = [...names].sort().map((name) => resolveEntry(modelDir, name, selectorFor(name)));
    }
    const changed = targets.filter((e) => served.get(e.name)?.manifest.version !== e.version);
    const fresh = await loadAll(changed);
    try {
      for (const m of fresh) {
        const old = served.get(m.manifest.name);
        if (!old || options.allowInputChange) continue;
        const was = old.manifest;
        if (was.inputTensor !== m.manifest.inputTensor || was.inputs.join() !== m.manifest.inputs.join()) {
          throw new ModelIncompatibleError(
            m.dir,
            `${m.manifest.name}@${m.manifest.version} takes inputs [${m.manifest.inputs.join(', ')}] but @${was.version} ` +
              `serving now takes [${was.inputs.join(', ')}]; reload with allowInputChange to switch anyway`,
          );
        }
      }
    } catch (err) {
      await Promise.all(fresh.map((m) => m.batcher.close().then(() => m.session.release())));
      throw err;
    }
    const next = new Map(served);
    for (const m of fresh) next.set(m.manifest.name, m);
    current = snapshotOf(next);
    // An explicit version sticks: a later plain reload must not undo a rollback.
    if (options.model !== undefined && options.version !== undefined) pins.set(options.model, options.version);
    for (const m of fresh) {
      const old = served.get(m.manifest.name);
      if (old) retire(old);
      logger.info(
        `inference: serving ${m.manifest.name}@${m.manifest.version} on ${m.executionProvider}` +
          (old ? ` (was @${old.manifest.version}; it drains ${old.inFlight} request(s) in flight)` : ' (new model)'),
      );
    }
    return {
      models: targets.map((e) => {
        const now = next.get(e.name) as ServedModel;
        const before = served.get(e.name);
        return {
          name: e.name,
          version: now.manifest.version,
          previousVersion: before ? before.manifest.version : null,
          changed: before !== now,
          executionProvider: now.executionProvider,
        };
      }),
    };
  }

  // One reload at a time: a second waits for the first, then compares against what it left serving.
  let reloadChain: Promise<unknown> = Promise.resolve();
  function reload(options: ReloadOptions = {}): Promise<ReloadResponse> {
    const run = reloadChain.then(() => reloadNow(options));
    reloadChain = run.catch(() => undefined);
    return run;
  }

  async function drained(): Promise<void> {
    while (draining.size > 0) await Promise.all([...draining].map((m) => m.retired?.done));
  }

  function health(): HealthResponse {
    const primary = current.models.get(defaultName) as ServedModel;
    return {
      status: 'ok',
      executionProvider: primary.executionProvider,
      models: [...current.models.values()].map((m) => ({
        name: m.manifest.name,
        version: m.manifest.version,
        inputs: [...m.manifest.inputs],
      })),
      draining: [...draining].map((m) => ({ name: m.manifest.name, version: m.manifest.version, inFlight: m.inFlight })),
    };
  }

  let server: http.Server | null = null;
  let closing: Promise<void> | null = null;

  return {
    get model() {
      const m = (current.models.get(defaultName) as ServedModel).manifest;
      return { name: m.name, version: m.version };
    },
    get executionProvider() {
      return (current.models.get(defaultName) as ServedModel).executionProvider;
    },
    batching: { maxBatch, maxWaitMs },
    score,
    health,
    reload,
    drained,
    metrics: () => metrics.render(),
    listen(port, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error('inference service is already listening'));
      const srv = http.createServer(createHttpHandler({ score, health, reload, adminToken: opts.adminToken, metrics, logger }));
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
        await reloadChain;
        const all = [...current.models.values()];
        await Promise.all(all.map((m) => m.batcher.close()));
        await Promise.all(all.map((m) => m.session.release()));
        await drained();
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
