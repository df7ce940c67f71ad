/** @internal test fixture, not part of the public surface */
// A job history in the two weeks before ANCHOR, written as the indexer would leave it, on top of
// fixture.ts's and protocol-fixture.ts's rows (seed() and seedProtocol() first): jobs posted, claimed,
// completed, approved, rejected and reassigned, expired and cancelled; providers registered (the
// fixture's 70 get their ProviderRegistered log, two more register near ANCHOR) and updated; the
// provider and market counters the indexer keeps; and every log's chain_event. Reviews fall in
// every ranking window, before them and on a window's boundary.
//
// `until` keeps only the logs at or before a time: the index as it stood then. A ranking's change
// over a window is checked against a database seeded up to the window's start.
import type { Client } from 'pg';
import { addr, COUNTS } from './fixture';
import { ANCHOR } from './protocol-fixture';

const HOUR = 3_600_000;
const E18 = 10n ** 18n;
const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000); // fixture.ts's clock

/** Provider addresses the history uses: four of the fixture's, and two that register near ANCHOR. */
export const P = [addr(5000), addr(5001), addr(5002), addr(5003)] as const;
export const NEW_PROVIDERS = [addr(5070), addr(5071)] as const;

type Log =
  | {
      name: 'ProviderRegistered' | 'ProviderUpdated';
      provider: string;
      gpuModel: string;
      vramGb: number;
      benchmarkScore: number;
      tier: number;
    }
  | { name: 'JobPosted'; job: number; market: number; payment: bigint; workEstimate: number; deadlineHours: number }
  | { name: 'JobClaimed'; job: number; provider: string }
  | { name: 'JobCompleted'; job: number; provider: string; workUnits: number }
  | { name: 'JobApproved'; job: number }
  | { name: 'JobRejected'; job: number; provider: string }
  | { name: 'JobReassigned' | 'JobExpired' | 'JobCancelled'; job: number };

/** [hours before ANCHOR, log]; a rejection is followed by its reassignment in the next block. */
const HISTORY: [number, Log][] = [
  [30, { name: 'ProviderRegistered', provider: NEW_PROVIDERS[0], gpuModel: 'L40S', vramGb: 48, benchmarkScore: 1300, tier: 2 }],
  [0.5, { name: 'ProviderRegistered', provider: NEW_PROVIDERS[1], gpuModel: 'H100', vramGb: 80, benchmarkScore: 1800, tier: 2 }],
  // Hardware changes: the reputation at an earlier time used the data before them.
  [100, { name: 'ProviderUpdated', provider: P[0], gpuModel: 'RTX 5090', vramGb: 32, benchmarkScore: 1200, tier: 2 }],
  [3, { name: 'ProviderUpdated', provider: P[2], gpuModel: 'L4', vramGb: 24, benchmarkScore: 700, tier: 1 }],
  // Job 1001: approved before the week.
  ...job(1001, 1, 5n, 3000, 220, -100, [
    [219, 'claim', P[0]],
    [218, 'complete', P[0], 2800],
    [200, 'approve'],
  ]),
  // 1002: rejected before the week, approved for the next provider in it.
  ...job(1002, 2, 7n, 1500, 180, -100, [
    [179, 'claim', P[1]],
    [175, 'complete', P[1], 1500],
    [170, 'reject', P[1]],
    [100, 'claim', P[2]],
    [90, 'complete', P[2], 1600],
    [30, 'approve'],
  ]),
  // 1003: rejected exactly at the day's start (at or before it: in the baseline), approved in the day.
  ...job(1003, 1, 11n, 4000, 60, -100, [
    [59, 'claim', P[2]],
    [50, 'complete', P[2], 4000],
    [24, 'reject', P[2]],
    [20, 'claim', P[0]],
    [10, 'complete', P[0], 3900],
    [2.5, 'approve'],
  ]),
  // 1004: completed late (deadline 35 h ago), approved in the hour.
  ...job(1004, 3, 2n, 700, 40, 35, [
    [39, 'claim', P[1]],
    [30, 'complete', P[1], 700],
    [0.5, 'approve'],
  ]),
  // 1005: the new provider's work, rejected in the hour and done again: at the hour's start its
  // completion counted with its own work units, not the job's later figure.
  ...job(1005, 3, 3n, 1200, 26, -100, [
    [25, 'claim', NEW_PROVIDERS[0]],
    [23, 'complete', NEW_PROVIDERS[0], 1200],
    [0.8, 'reject', NEW_PROVIDERS[0]],
    [0.6, 'claim', P[3]],
    [0.3, 'complete', P[3], 1100],
  ]),
  // 1006: claimed and never completed, expired in the day.
  ...job(1006, 4, 4n, 2000, 10, 5, [
    [9, 'claim', P[3]],
    [4, 'expire'],
  ]),
  // 1007: completed, not reviewed yet.
  ...job(1007, 5, 1n, 100, 5, -100, [
    [4, 'claim', P[0]],
    [3, 'complete', P[0], 100],
  ]),
  // 1008 and 1010: in the day, in the hour before the last; 1010 exactly on the hour's start.
  ...job(1008, 1, 6n, 500, 1.5, -100, []),
  ...job(1010, 1, 9n, 500, 1, -100, []),
  // 1009: posted, claimed and completed within the hour by the provider that registered in it.
  ...job(1009, 2, 8n, 900, 0.7, -100, [
    [0.4, 'claim', NEW_PROVIDERS[1]],
    [0.2, 'complete', NEW_PROVIDERS[1], 950],
  ]),
  // 1011: in the day before the day, approved there.
  ...job(1011, 2, 12n, 1000, 47, -100, [
    [46, 'claim', P[3]],
    [45, 'complete', P[3], 1000],
    [44, 'approve'],
  ]),
  // 1012: in the week before the week, cancelled unclaimed.
  ...job(1012, 4, 10n, 800, 300, -100, [[290, 'cancel']]),
  // 1013: in the day; completed and approved within it.
  ...job(1013, 5, 13n, 600, 23.5, -100, [
    [23, 'claim', P[3]],
    [22, 'complete', P[3], 650],
    [21, 'approve'],
  ]),
];

type Step = [number, 'claim' | 'complete' | 'reject', string, number?] | [number, 'approve' | 'expire' | 'cancel'];

function job(
  id: number,
  market: number,
  tokens: bigint,
  workEstimate: number,
  posted: number,
  deadline: number,
  steps: Step[],
): [number, Log][] {
  const out: [number, Log][] = [
    [posted, { name: 'JobPosted', job: id, market, payment: tokens * E18 + BigInt(id), workEstimate, deadlineHours: deadline }],
  ];
  for (const [h, kind, provider, work] of steps as [number, string, string, number][]) {
    if (kind === 'claim') out.push([h, { name: 'JobClaimed', job: id, provider }]);
    if (kind === 'complete') out.push([h, { name: 'JobCompleted', job: id, provider, workUnits: work }]);
    if (kind === 'approve') out.push([h, { name: 'JobApproved', job: id }]);
    if (kind === 'reject') out.push([h, { name: 'JobRejected', job: id, provider }], [h, { name: 'JobReassigned', job: id }]);
    if (kind === 'expire') out.push([h, { name: 'JobExpired', job: id }]);
    if (kind === 'cancel') out.push([h, { name: 'JobCancelled', job: id }]);
  }
  return out;
}

/** The history's logs in chain order, one block each (block times increase), with their times. */
export function jobHistoryLogs(): { block: number; time: Date; log: Log }[] {
  return HISTORY.map(([h, log], i) => ({ h, i, log }))
    .sort((a, b) => b.h - a.h || a.i - b.i)
    .map(({ h, log }, k) => ({ block: 7000 + k, time: new Date(ANCHOR - h * HOUR), log }));
}

const hex = (n: number, len = 64) => `0x${n.toString(16).padStart(len, '0')}`;

async function insert(c: Client, table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const params: unknown[] = [];
  const values = rows.map((r) => `(${cols.map((k) => `$${params.push(r[k])}`).join(', ')})`);
  await c.query(`INSERT INTO "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES ${values.join(', ')}`, params);
}

interface ProviderState {
  id: string;
  gpu_model: string;
  vram_gb: number;
  benchmark_score: number;
  tier: number;
  jobs_claimed: number;
  jobs_completed: number;
  work_units: bigint;
  jobs_approved: number;
  jobs_rejected: number;
  success_rate: string | null;
  registered_at_block: number;
  registered_at: Date;
  updated_at_block: number;
  isNew: boolean;
  touched: boolean;
}

/** Writes the history's logs at or before `until` (default: all), as the indexer would have. */
export async function seedJobHistory(c: Client, until = Number.POSITIVE_INFINITY): Promise<void> {
  const chainEvents: Record<string, unknown>[] = [];
  const chainEvent = (block: number, logIndex: number, time: Date, name: string, args: Record<string, unknown>) => {
    const id = `${String(block).padStart(10, '0')}-${String(logIndex).padStart(6, '0')}-hist0`;
    chainEvents.push({
      id,
      contract: 'market',
      address: addr(44),
      name,
      block_number: block,
      timestamp: time.toISOString(),
      tx_hash: hex(block * 1000 + logIndex),
      log_index: logIndex,
      netuid: null,
      args: JSON.stringify(args),
    });
    return id;
  };

  const providers = new Map<string, ProviderState>();
  for (const r of (
    await c.query(`SELECT id, gpu_model, vram_gb, benchmark_score, tier, jobs_claimed, jobs_completed, work_units::text AS work_units,
      jobs_approved, jobs_rejected, success_rate::text AS success_rate, registered_at_block, registered_at, updated_at_block FROM provider`)
  ).rows) {
    providers.set(r.id, { ...r, work_units: BigInt(r.work_units), isNew: false, touched: false });
    // The fixture's providers registered long before: their logs, with the data they registered.
    const i = Number.parseInt(r.id.slice(-4), 16) - 5000;
    chainEvent(r.registered_at_block, i, at(i >> 2), 'ProviderRegistered', {
      provider: r.id,
      gpuModel: r.gpu_model,
      vramGb: r.vram_gb,
      benchmarkScore: r.benchmark_score,
      tier: r.tier,
    });
  }
  if (providers.size !== COUNTS.providers) throw new Error('seedJobHistory runs on fixture.ts rows');

  type JobState = {
    id: string;
    job_id: number;
    market_id: string;
    sender: string;
    provider_id: string | null;
    state: string;
    spec_hash: string;
    work_estimate: string;
    payment: string;
    deadline: string;
    result_hash: string | null;
    work_units: string | null;
    posted_at_block: number;
    posted_at: string;
    claimed_at_block: number | null;
    completed_at_block: number | null;
    updated_at_block: number;
    failures: number;
    approved_at_block: number | null;
    auto_approved: boolean | null;
    approved_by: string | null;
  };
  const jobs = new Map<number, JobState>();
  const jobEvents: Record<string, unknown>[] = [];
  const markets = new Map<string, { jobs: number; volume: bigint }>();
  const reviewer = addr(7100);

  for (const { block, time, log } of jobHistoryLogs()) {
    if (time.getTime() > until) break;
    const id = chainEvent(block, 0, time, log.name, argsOf(log));
    const event = (j: JobState, kind: string, actor: string) => {
      j.updated_at_block = block;
      jobEvents.push({ id, job_id: j.id, kind, actor, block_number: block, timestamp: time.toISOString(), tx_hash: hex(block * 1000) });
    };
    const prov = (a: string) => {
      const p = providers.get(a) as ProviderState;
      p.touched = true;
      p.updated_at_block = block;
      return p;
    };
    switch (log.name) {
      case 'ProviderRegistered':
        providers.set(log.provider, {
          id: log.provider,
          gpu_model: log.gpuModel,
          vram_gb: log.vramGb,
          benchmark_score: log.benchmarkScore,
          tier: log.tier,
          jobs_claimed: 0,
          jobs_completed: 0,
          work_units: 0n,
          jobs_approved: 0,
          jobs_rejected: 0,
          success_rate: null,
          registered_at_block: block,
          registered_at: time,
          updated_at_block: block,
          isNew: true,
          touched: true,
        });
        break;
      case 'ProviderUpdated':
        Object.assign(prov(log.provider), {
          gpu_model: log.gpuModel,
          vram_gb: log.vramGb,
          benchmark_score: log.benchmarkScore,
          tier: log.tier,
        });
        break;
      case 'JobPosted': {
        const j: JobState = {
          id: String(log.job),
          job_id: log.job,
          market_id: String(log.market),
          sender: addr(7000 + (log.job % 9)),
          provider_id: null,
          state: 'POSTED',
          spec_hash: hex(log.job),
          work_estimate: String(log.workEstimate),
          payment: String(log.payment),
          deadline: new Date(ANCHOR - log.deadlineHours * HOUR).toISOString(),
          result_hash: null,
          work_units: null,
          posted_at_block: block,
          posted_at: time.toISOString(),
          claimed_at_block: null,
          completed_at_block: null,
          updated_at_block: block,
          failures: 0,
          approved_at_block: null,
          auto_approved: null,
          approved_by: null,
        };
        jobs.set(log.job, j);
        const m = markets.get(j.market_id) ?? { jobs: 0, volume: 0n };
        markets.set(j.market_id, { jobs: m.jobs + 1, volume: m.volume + log.payment });
        event(j, 'POSTED', j.sender);
        break;
      }
      case 'JobClaimed': {
        const j = jobs.get(log.job) as JobState;
        Object.assign(j, {
          provider_id: log.provider,
          state: 'CLAIMED',
          claimed_at_block: block,
          completed_at_block: null,
          result_hash: null,
          work_units: null,
        });
        prov(log.provider).jobs_claimed += 1;
        event(j, 'CLAIMED', log.provider);
        break;
      }
      case 'JobCompleted': {
        const j = jobs.get(log.job) as JobState;
        Object.assign(j, {
          state: 'COMPLETED',
          result_hash: hex(log.job + 1),
          work_units: String(log.workUnits),
          completed_at_block: block,
        });
        const p = prov(log.provider);
        p.jobs_completed += 1;
        p.work_units += BigInt(log.workUnits);
        event(j, 'COMPLETED', log.provider);
        break;
      }
      case 'JobApproved': {
        const j = jobs.get(log.job) as JobState;
        Object.assign(j, { state: 'APPROVED', approved_at_block: block, auto_approved: false, approved_by: reviewer });
        const p = prov(j.provider_id as string);
        p.jobs_approved += 1;
        p.success_rate = String(p.jobs_approved / (p.jobs_approved + p.jobs_rejected));
        event(j, 'APPROVED', reviewer);
        break;
      }
      case 'JobRejected': {
        const j = jobs.get(log.job) as JobState;
        j.failures += 1;
        const p = prov(log.provider);
        p.jobs_rejected += 1;
        p.success_rate = String(p.jobs_approved / (p.jobs_approved + p.jobs_rejected));
        event(j, 'REJECTED', reviewer);
        break;
      }
      case 'JobReassigned': {
        const j = jobs.get(log.job) as JobState;
        Object.assign(j, { state: 'POSTED', provider_id: null, claimed_at_block: null, completed_at_block: null });
        event(j, 'REASSIGNED', j.sender);
        break;
      }
      case 'JobExpired':
      case 'JobCancelled': {
        const j = jobs.get(log.job) as JobState;
        j.state = log.name === 'JobExpired' ? 'EXPIRED' : 'CANCELLED';
        event(j, j.state, j.sender);
        break;
      }
    }
  }

  const fresh = [...providers.values()].filter((p) => p.isNew);
  await insert(
    c,
    'provider',
    fresh.map((p) => ({
      id: p.id,
      address: p.id,
      gpu_model: p.gpu_model,
      vram_gb: p.vram_gb,
      benchmark_score: p.benchmark_score,
      tier: p.tier,
      jobs_claimed: p.jobs_claimed,
      jobs_completed: p.jobs_completed,
      work_units: String(p.work_units),
      registered_at_block: p.registered_at_block,
      registered_at: p.registered_at.toISOString(),
      updated_at_block: p.updated_at_block,
      jobs_approved: p.jobs_approved,
      jobs_rejected: p.jobs_rejected,
      success_rate: p.success_rate,
      approved_work_units: '0',
      work_rewards: '0',
      availability_rewards: '0',
      earnings: '0',
    })),
  );
  for (const p of providers.values()) {
    if (!p.touched || p.isNew) continue;
    await c.query(
      `UPDATE provider SET gpu_model = $2, vram_gb = $3, benchmark_score = $4, tier = $5, jobs_claimed = $6, jobs_completed = $7,
         work_units = $8, jobs_approved = $9, jobs_rejected = $10, success_rate = $11, updated_at_block = $12 WHERE id = $1`,
      [
        p.id,
        p.gpu_model,
        p.vram_gb,
        p.benchmark_score,
        p.tier,
        p.jobs_claimed,
        p.jobs_completed,
        String(p.work_units),
        p.jobs_approved,
        p.jobs_rejected,
        p.success_rate,
        p.updated_at_block,
      ],
    );
  }
  await insert(c, 'job', [...jobs.values()]);
  await insert(c, 'job_event', jobEvents);
  await insert(c, 'chain_event', chainEvents);
  for (const [id, m] of markets) {
    await c.query(`UPDATE market SET job_count = job_count + $2, volume = volume + $3 WHERE id = $1`, [id, m.jobs, String(m.volume)]);
  }
}

/** The log's arguments as chain_event.args holds them (decoded names, big integers as decimal text). */
function argsOf(log: Log): Record<string, unknown> {
  switch (log.name) {
    case 'ProviderRegistered':
    case 'ProviderUpdated':
      return { provider: log.provider, gpuModel: log.gpuModel, vramGb: log.vramGb, benchmarkScore: log.benchmarkScore, tier: log.tier };
    case 'JobPosted':
      return {
        jobId: String(log.job),
        marketId: log.market,
        sender: addr(7000 + (log.job % 9)),
        specHash: hex(log.job),
        workEstimate: String(log.workEstimate),
        payment: String(log.payment),
        deadline: String(Math.floor((ANCHOR - log.deadlineHours * HOUR) / 1000)),
      };
    case 'JobClaimed':
      return { jobId: String(log.job), provider: log.provider };
    case 'JobCompleted':
      return { jobId: String(log.job), provider: log.provider, resultHash: hex(log.job + 1), workUnits: String(log.workUnits) };
    case 'JobApproved':
      return { jobId: String(log.job), by: addr(7100), automatic: false };
    case 'JobRejected':
      return { jobId: String(log.job), provider: log.provider, by: addr(7100), failures: 1 };
    case 'JobReassigned':
      return { jobId: String(log.job), failures: 1 };
    default:
      return { jobId: String(log.job) };
  }
}
