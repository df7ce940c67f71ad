// Client of the inference service (inference/): POST /score for provider reputation scores and
// GET /health for the execution provider in use. Any failure to get an answer (refused, timeout,
// 5xx, malformed body) is InferenceUnavailableError, so the API can report it on the field alone.
import { InferenceUnavailableError } from './errors';

export interface ProviderScore {
  address: string;
  score: number;
  features: Record<string, number>;
}

export interface InferenceHealth {
  status: string;
  executionProvider: string | null;
  models: unknown[];
}

/** Scores of raw feature rows, with the input names the model read them by. */
export interface RowScores {
  scores: number[];
  /** The model's input names, in row order (the service answers each row's values by name). */
  names: string[];
}

export interface InferenceClient {
  /** Scores by lowercase address; addresses the service does not know are absent. */
  score(addresses: readonly string[]): Promise<Map<string, ProviderScore>>;
  /** Scores of feature rows, each in the default model's input order (POST /score with `rows`). */
  scoreRows(rows: readonly (readonly number[])[]): Promise<RowScores>;
  health(): Promise<InferenceHealth>;
}

export interface InferenceClientOptions {
  url: string;
  timeoutMs?: number;
}

class NotFound extends Error {}

export function createInferenceClient(opts: InferenceClientOptions): InferenceClient {
  const base = opts.url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 2000;

  async function call(path: string, init?: RequestInit): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new InferenceUnavailableError(`${path} failed (${cause})`, { originalError: err as Error });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 404) throw new NotFound(text);
    if (!res.ok) throw new InferenceUnavailableError(`${path} answered HTTP ${res.status}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new InferenceUnavailableError(`${path} answered something other than JSON`);
    }
  }

  async function scoreBatch(addresses: readonly string[]): Promise<Map<string, ProviderScore>> {
    const body = (await call('/score', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ addresses }),
    })) as { results?: unknown };
    if (!Array.isArray(body?.results)) throw new InferenceUnavailableError('/score answered without results');
    const out = new Map<string, ProviderScore>();
    for (const r of body.results as ProviderScore[]) {
      if (typeof r?.address === 'string' && typeof r.score === 'number') {
        out.set(r.address.toLowerCase(), { address: r.address.toLowerCase(), score: r.score, features: r.features ?? {} });
      }
    }
    return out;
  }

  return {
    async scoreRows(rows) {
      if (rows.length === 0) return { scores: [], names: [] };
      let body: { results?: unknown };
      try {
        body = (await call('/score', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rows }),
        })) as {
          results?: unknown;
        };
      } catch (err) {
        // A 404 on rows is no unknown address: the route itself is missing.
        if (err instanceof NotFound) throw new InferenceUnavailableError('/score not found');
        throw err;
      }
      const results = body?.results as { score?: unknown; features?: Record<string, number> }[] | undefined;
      if (!Array.isArray(results) || results.length !== rows.length || results.some((r) => typeof r?.score !== 'number')) {
        throw new InferenceUnavailableError('/score answered without a score per row');
      }
      return { scores: results.map((r) => r.score as number), names: Object.keys(results[0].features ?? {}) };
    },
    async score(addresses) {
      const lower = [...new Set(addresses.map((a) => a.toLowerCase()))];
      if (lower.length === 0) return new Map();
      try {
        return await scoreBatch(lower);
      } catch (err) {
        if (!(err instanceof NotFound)) throw err;
        // The service answers 404 when it does not know an address; we cannot tell which one,
        // so ask for each alone and leave the unknown ones without a score.
        if (lower.length === 1) return new Map();
        const parts = await Promise.all(
          lower.map((a) => scoreBatch([a]).catch((e) => (e instanceof NotFound ? new Map() : Promise.reject(e)))),
        );
        return new Map(parts.flatMap((m) => [...m]));
      }
    },
    async health() {
      let body: Partial<InferenceHealth>;
      try {
        body = (await call('/health')) as Partial<InferenceHealth>;
      } catch (err) {
        if (err instanceof NotFound) throw new InferenceUnavailableError('/health not found');
        throw err;
      }
      return { status: String(body?.status ?? 'unknown'), executionProvider: body?.executionProvider ?? null, models: body?.models ?? [] };
    },
  };
}
