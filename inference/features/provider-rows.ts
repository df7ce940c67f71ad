// Reads the provider rows that features are built from: one SQL statement for a list of addresses.
import type { Pool } from 'pg';
import type { ProviderRow } from './provider-features';

// The head block is the newest activity the index has seen (both maxima are served by indexes),
// so provider age does not depend on the wall clock or on a processor status table.
const SQL = `
  select p.id, p.jobs_claimed, p.jobs_completed, p.work_units::text as work_units,
         p.benchmark_score, p.vram_gb, p.tier, p.registered_at_block,
         greatest((select max(posted_at_block) from job), (select max(registered_at_block) from provider)) as head_block
    from provider p
   where p.id = any($1::text[])`;

interface Raw {
  id: string;
  jobs_claimed: number;
  jobs_completed: number;
  work_units: string;
  benchmark_score: number;
  vram_gb: number;
  tier: number;
  registered_at_block: number;
  head_block: number | null;
}

/** Rows by lowercase address; addresses without a provider are absent from the map. */
export async function fetchProviderRows(pool: Pool, addresses: readonly string[]): Promise<Map<string, ProviderRow>> {
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))];
  const out = new Map<string, ProviderRow>();
  if (unique.length === 0) return out;
  const { rows } = await pool.query<Raw>(SQL, [unique]);
  for (const r of rows) {
    out.set(r.id, {
      address: r.id,
      jobsClaimed: r.jobs_claimed,
      jobsCompleted: r.jobs_completed,
      workUnitsMilli: Number(r.work_units),
      benchmarkScore: r.benchmark_score,
      vramGb: r.vram_gb,
      tier: r.tier,
      registeredAtBlock: r.registered_at_block,
      headBlock: r.head_block ?? r.registered_at_block,
    });
  }
  return out;
}
