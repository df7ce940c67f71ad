// Load generators: autocannon against a GraphQL endpoint (each request with its own parameters)
// and the bound: the statement our gateway runs for the same request, straight through `pg` at the
// same concurrency. Latencies in ms.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Pool } from 'pg';
import type { GraphqlRequest, SqlRequest } from './queries';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, res: AutocannonResult) => void) => unknown;

/** autocannon lives in the bench project (bench/subsquid), not in the main package. */
function loadAutocannon(projectDir: string): Autocannon {
  return createRequire(path.join(projectDir, 'package.json'))('autocannon') as Autocannon;
}

export async function loadGraphql(p: {
  projectDir: string;
  url: string;
  connections: number;
  seconds: number;
  next: () => GraphqlRequest;
}): Promise<LoadResult> {
  const autocannon = loadAutocannon(p.projectDir);
  const res = await new Promise<AutocannonResult>((resolve, reject) =>
    autocannon(
      {
        url: p.url,
        connections: p.connections,
        duration: p.seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req: AutocannonRequest) => ({ ...req, body: JSON.stringify(p.next()) }),
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    ),
  );
  return {
    rps: res.requests.total / res.duration,
    p50Ms: res.latency.p50,
    p99Ms: res.latency.p99,
    requests: res.requests.total,
    errors: res.non2xx + res.errors + res.timeouts,
  };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Every column as the text Postgres sent, as the gateway's fast lane reads it (gateway/sql/pool.ts). */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * The bound: `connections` clients (as pgbench -c) each running the statement in a loop, named and
 * so prepared once per connection, for `seconds`. Like the gateway's fast lane, the client takes the
 * JSON as the text Postgres wrote (no parse).
 */
export async function loadSql(p: {
  databaseUrl: string;
  connections: number;
  seconds: number;
  next: () => SqlRequest;
}): Promise<LoadResult> {
  const pool = new Pool({ connectionString: p.databaseUrl, max: p.connections });
  try {
    // Open (and prepare on) every connection before the clock starts.
    const clients = await Promise.all(Array.from({ length: p.connections }, () => pool.connect()));
    for (const c of clients) {
      const r = p.next();
      await c.query({ name: r.name, text: r.text, values: r.values, types: TEXT_TYPES, rowMode: 'array' });
    }
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    const end = started + p.seconds * 1000;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const r = p.next();
          const t = performance.now();
          try {
            await c.query({ name: r.name, text: r.text, values: r.values, types: TEXT_TYPES, rowMode: 'array' });
            latencies.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
        c.release();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    return {
      rps: latencies.length / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      requests: latencies.length,
      errors,
    };
  } finally {
    await pool.end();
  }
}

/** One request, its JSON answer (for the check that both servers return the same data). */
export async function postGraphql(url: string, body: GraphqlRequest): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${res.status} with no JSON: ${text.slice(0, 200)}`);
  }
}
