// Reads what provider-history.ts builds features from: providers and the events of the jobs they
// claimed. Used by training (every provider) and address scoring (a list of addresses).
import type { Pool } from 'pg';
import type { JobEventRow, ProviderInfo } from './provider-history';

const PROVIDERS_SQL = `
  select id, benchmark_score, vram_gb, tier, registered_at_block
    from provider
   where $1::text[] is null or id = any($1::text[])`;

// Events of every job one of the providers ever claimed (a reassigned job's later events matter to its earlier claimant).
const EVENTS_SQL = `
  select e.job_id, e.kind, lower(e.actor) as actor, e.block_number,
         extract(epoch from e.timestamp)::float8 as ts, extract(epoch from j.deadline)::float8 as deadline,
         j.work_estimate::text as work_estimate, j.work_units::text as work_units
    from job_event e
    join job j on j.id = e.job_id
   where e.kind in ('CLAIMED', 'COMPLETED', 'APPROVED', 'REJECTED', 'REASSIGNED', 'EXPIRED', 'CANCELLED')
     and ($1::text[] is null or e.job_id in (select c.job_id from job_event c where c.kind = 'CLAIMED' and lower(c.actor) = any($1::text[])))
   order by e.block_number, e.id`;

const HEAD_SQL = `
  select max(block_number) as block, extract(epoch from max(timestamp))::float8 as ts from job_event`;

export interface ProviderHistoryRows {
  providers: Map<string, ProviderInfo>;
  events: JobEventRow[];
  /** Newest indexed job event (block, unix s); null on an empty index. */
  head: { block: number; time: number } | null;
}

/** Every provider and job event when `addresses` is null; else those of the given addresses. */
export async function fetchProviderHistory(pool: Pool, addresses: readonly string[] | null): Promise<ProviderHistoryRows> {
  const list = addresses === null ? null : [...new Set(addresses.map((a) => a.toLowerCase()))];
  const [p, e, h] = await Promise.all([pool.query(PROVIDERS_SQL, [list]), pool.query(EVENTS_SQL, [list]), pool.query(HEAD_SQL)]);
  const providers = new Map<string, ProviderInfo>();
  for (const r of p.rows) {
    providers.set(r.id, {
      address: r.id,
      benchmarkScore: r.benchmark_score,
      vramGb: r.vram_gb,
      tier: r.tier,
      registeredAtBlock: r.registered_at_block,
    });
  }
  const events: JobEventRow[] = e.rows.map((r) => ({
    jobId: r.job_id,
    kind: r.kind,
    actor: r.actor,
    blockNumber: r.block_number,
    timestamp: r.ts,
    deadline: r.deadline,
    workEstimateMilli: Number(r.work_estimate),
    workUnitsMilli: r.work_units === null ? null : Number(r.work_units),
  }));
  const head = h.rows[0]?.block == null ? null : { block: h.rows[0].block as number, time: h.rows[0].ts as number };
  return { providers, events, head };
}
