// The only module that talks to onnxruntime-node: creating a session with the first execution
// provider of the configured list that works, and running one float32 batch through it.
import * as ort from 'onnxruntime-node';
import { ExecutionProviderError } from './errors';
import type { Logger } from './logger';

export const EXECUTION_PROVIDERS = ['cuda', 'tensorrt', 'cpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

export interface OrtSession {
  session: ort.InferenceSession;
  executionProvider: ExecutionProviderName;
}

/**
 * Tries each provider alone, in order, so the one that created the session is known for sure
 * (onnxruntime would otherwise fall back silently inside one list).
 * A file that onnxruntime cannot parse fails on every provider: that error is thrown as is.
 */
export async function createOrtSession(
  modelBytes: Uint8Array,
  providers: readonly ExecutionProviderName[],
  logger: Logger,
): Promise<OrtSession> {
  const failures: string[] = [];
  for (const [i, ep] of providers.entries()) {
    try {
      const session = await ort.InferenceSession.create(modelBytes, {
        executionProviders: [ep],
        // onnxruntime logs its own multi-line error when an accelerator library is missing; we log one line instead.
        logSeverityLevel: ep === 'cpu' ? 3 : 4,
      });
      return { session, executionProvider: ep };
    } catch (err) {
      const reason = firstLine(err);
      if (ep === 'cpu' || !isProviderLoadFailure(reason)) throw err;
      failures.push(`${ep}: ${reason}`);
      const next = providers[i + 1];
      logger.warn(`inference: execution provider ${ep} unavailable (${reason})${next ? `, falling back to ${next}` : ''}`);
    }
  }
  throw new ExecutionProviderError(`no configured execution provider could start: ${failures.join('; ')}`);
}

// An accelerator that is absent fails while registering the provider, before the model is parsed.
function isProviderLoadFailure(reason: string): boolean {
  return /ExecutionProvider|provider|shared library|not supported|backend/i.test(reason);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // Strip onnxruntime's ANSI colour codes and keep the first line.
  return (msg.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0] ?? '').slice(0, 300);
}

/** Runs `rows` (row-major float32, n × width) and returns the first `n` output values. */
export async function runOrtBatch(
  session: ort.InferenceSession,
  inputName: string,
  outputName: string,
  rows: Float32Array,
  n: number,
  width: number,
): Promise<Float32Array> {
  const out = await session.run({ [inputName]: new ort.Tensor('float32', rows, [n, width]) }, [outputName]);
  const tensor = out[outputName];
  if (!tensor || !(tensor.data instanceof Float32Array) || tensor.data.length !== n) {
    throw new Error(`model output ${outputName} is not ${n} float32 values`);
  }
  return tensor.data;
}
