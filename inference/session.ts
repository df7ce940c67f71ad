// The only module that talks to onnxruntime-node. Each model's session lives in its own worker
// thread, for two reasons: onnxruntime-node runs a session synchronously on the calling thread
// (it would stall every HTTP request during a run), and a worker has a plain Node realm, so the
// service also works inside jest's sandbox, where onnxruntime-node's own output tensors fail its
// `instanceof Float32Array` check (microsoft/onnxruntime#16622).
import { Worker } from 'node:worker_threads';
import { ExecutionProviderError } from './errors';
import type { Logger } from './logger';

export const EXECUTION_PROVIDERS = ['cuda', 'tensorrt', 'cpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

export interface TensorInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape: readonly (number | string)[];
}

/** One model's onnxruntime session (in its worker). */
export interface ModelSession {
  executionProvider: ExecutionProviderName;
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly TensorInfo[];
  outputMetadata: readonly TensorInfo[];
  /** Runs `rows` (row-major float32, n × width) and returns the first n values of `outputName`. */
  run(inputName: string, outputName: string, rows: Float32Array, n: number, width: number): Promise<Float32Array>;
  /** Frees the session and stops its worker. */
  release(): Promise<void>;
}

// Plain CommonJS run by the worker; it requires onnxruntime-node by the path resolved here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session = null;
const meta = (m) => ({ name: m.name, isTensor: m.isTensor, type: m.type, shape: m.isTensor ? [...m.shape] : [] });
parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'create') {
      // onnxruntime's default logger is process-wide, set once by the first session created in the process
      // (any thread), and it is the one that prints a missing accelerator library as a multi-line error,
      // which the service reports in one line of its own. So every worker asks for fatal before its first
      // session, cpu ones included: a cpu session created first (another model, another test in the same
      // jest worker) must not fix it at the default, warning. Each session still logs at its own
      // logSeverityLevel, and load errors reach the caller as exceptions.
      ort.env.logLevel = 'fatal';
      session = await ort.InferenceSession.create(msg.bytes, {
        executionProviders: [msg.provider], logSeverityLevel: msg.logSeverityLevel,
        // A run is at most a few hundred rows of a small graph: a thread pool has nothing to split, and its
        // spinning threads would take the CPU the HTTP thread needs (measured: bench/inference.ts).
        intraOpNumThreads: msg.intraOpThreads, interOpNumThreads: 1, executionMode: 'sequential',
        extra: { session: { intra_op: { allow_spinning: msg.intraOpThreads > 1 ? '1' : '0' } } },
      });
      parentPort.postMessage({ id: msg.id, ok: true, value: {
        inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata.map(meta), outputMetadata: session.outputMetadata.map(meta),
      } });
    } else if (msg.type === 'run') {
      const out = await session.run({ [msg.input]: new ort.Tensor('float32', msg.rows, [msg.n, msg.width]) }, [msg.output]);
      const t = out[msg.output];
      if (!t || t.type !== 'float32' || t.data.length !== msg.n) throw new Error('model output ' + msg.output + ' is not ' + msg.n + ' float32 values');
      const scores = Float32Array.from(t.data);
      parentPort.postMessage({ id: msg.id, ok: true, value: scores }, [scores.buffer]);
    } else if (msg.type === 'release') {
      if (session) await session.release();
      session = null;
      parentPort.postMessage({ id: msg.id, ok: true });
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, message: String((err && err.message) || err) });
  }
});
`;

/** A worker holding at most one session, with request/response over messages. */
class SessionWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 0;
  private dead: Error | null = null;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node') } });
    // Referenced only while a call is pending: an idle model must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; message?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.message));
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`onnxruntime worker exited with code ${code}`)));
  }

  call<T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

interface CreatedInfo {
  inputNames: string[];
  outputNames: string[];
  inputMetadata: TensorInfo[];
  outputMetadata: TensorInfo[];
}

/**
 * Creates the session with the first provider of `providers` that works. Each provider is tried
 * alone, so the one in use is known for sure (onnxruntime would fall back silently within a list).
 * A model file onnxruntime cannot parse fails on cpu as well: that error is thrown as is.
 */
export async function createModelSession(
  modelBytes: Uint8Array,
  providers: readonly ExecutionProviderName[],
  logger: Logger,
  options: { intraOpThreads?: number } = {},
): Promise<ModelSession> {
  const worker = new SessionWorker();
  const failures: string[] = [];
  try {
    for (const [i, ep] of providers.entries()) {
      try {
        const info = await worker.call<CreatedInfo>({
          type: 'create',
          bytes: modelBytes,
          provider: ep,
          intraOpThreads: options.intraOpThreads ?? 1,
          // onnxruntime prints its own multi-line error when an accelerator library is missing; we log one line.
          logSeverityLevel: ep === 'cpu' ? 3 : 4,
        });
        return wrap(worker, ep, info);
      } catch (err) {
        const reason = firstLine(err);
        if (ep === 'cpu' || !isProviderLoadFailure(reason)) throw err;
        failures.push(`${ep}: ${reason}`);
        const next = providers[i + 1];
        logger.warn(`inference: execution provider ${ep} unavailable (${reason})${next ? `, falling back to ${next}` : ''}`);
      }
    }
    throw new ExecutionProviderError(`no configured execution provider could start: ${failures.join('; ')}`);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}

function wrap(worker: SessionWorker, executionProvider: ExecutionProviderName, info: CreatedInfo): ModelSession {
  let released: Promise<void> | null = null;
  return {
    executionProvider,
    ...info,
    run: (input, output, rows, n, width) => worker.call<Float32Array>({ type: 'run', input, output, rows, n, width }),
    release() {
      released ??= worker
        .call({ type: 'release' })
        .catch(() => undefined)
        .then(() => worker.terminate());
      return released;
    },
  };
}

// An accelerator that is absent fails while registering the provider, before the model is parsed.
function isProviderLoadFailure(reason: string): boolean {
  return /ExecutionProvider|provider|shared library|not supported|backend/i.test(reason);
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // Strip onnxruntime's ANSI colour codes and keep the first line.
  return (msg.replace(ANSI_COLOUR, '').split('\n')[0] ?? '').slice(0, 300);
}
