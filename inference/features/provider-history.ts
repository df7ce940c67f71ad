// Provider features from indexed job *events*, as of a cut-off block: one definition per feature,
// used by the training script (at many past cut-offs) and by address scoring (cut-off = the index
// head + 1). Pure: rows in, numbers out; provider-history-rows.ts reads the rows from Postgres.

/** One job event as read from job_event ⋈ job (numbers parsed). */
export interface JobEventRow {
  jobId: string;
  /** JobEventKind: CLAIMED, COMPLETED, APPROVED, REJECTED, REASSIGNED, EXPIRED, CANCELLED, … */
  kind: string;
  /** Lowercase address: the provider for CLAIMED and COMPLETED, the reviewer or sender otherwise. */
  actor: string;
  blockNumber: number;
  /** Block timestamp, unix seconds. */
  timestamp: number;
  /** The job's deadline, unix seconds. */
  deadline: number;
  /** Thousandths of a work unit, as posted. */
  workEstimateMilli: number;
  /** Thousandths of a work unit, as completed (the job's final figure; null before completion). */
  workUnitsMilli: number | null;
}

/** Static registration data of a provider. */
export interface ProviderInfo {
  address: string;
  benchmarkScore: number;
  vramGb: number;
  tier: number;
  registeredAtBlock: number;
}

export type AttemptOutcome = 'approved' | 'rejected' | 'expired' | 'reassigned' | 'cancelled';

/** One provider's claim of one job and what became of it (a reassigned job has several attempts). */
export interface Attempt {
  provider: string;
  jobId: string;
  claimBlock: number;
  deadline: number;
  workEstimateMilli: number;
  completeBlock: number | null;
  completeTime: number | null;
  workUnitsMilli: number | null;
  outcome: AttemptOutcome | null;
  outcomeBlock: number | null;
}

/**
 * Splits a job event stream (any order; sorted here by block, then input order) into attempts: each
 * CLAIMED opens one for its actor; COMPLETED, then APPROVED/REJECTED, or EXPIRED, REASSIGNED or
 * CANCELLED close it.
 */
export function buildAttempts(events: readonly JobEventRow[]): Attempt[] {
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.blockNumber - b.e.blockNumber || a.i - b.i);
  const open = new Map<string, Attempt>();
  const out: Attempt[] = [];
  for (const { e } of sorted) {
    const cur = open.get(e.jobId);
    const close = (outcome: AttemptOutcome) => {
      if (!cur) return;
      cur.outcome = outcome;
      cur.outcomeBlock = e.blockNumber;
      open.delete(e.jobId);
    };
    switch (e.kind) {
      case 'CLAIMED': {
        const a: Attempt = {
          provider: e.actor.toLowerCase(),
          jobId: e.jobId,
          claimBlock: e.blockNumber,
          deadline: e.deadline,
          workEstimateMilli: e.workEstimateMilli,
          completeBlock: null,
          completeTime: null,
          workUnitsMilli: null,
          outcome: null,
          outcomeBlock: null,
        };
        open.set(e.jobId, a);
        out.push(a);
        break;
      }
      case 'COMPLETED':
        if (cur) {
          cur.completeBlock = e.blockNumber;
          cur.completeTime = e.timestamp;
          cur.workUnitsMilli = e.workUnitsMilli ?? e.workEstimateMilli;
        }
        break;
      case 'APPROVED':
        close('approved');
        break;
      case 'REJECTED':
        close('rejected');
        break;
      case 'EXPIRED':
        close('expired');
        break;
      case 'REASSIGNED':
        close('reassigned');
        break;
      case 'CANCELLED':
        close('cancelled');
        break;
    }
  }
  return out;
}

/** Blocks of the "recent" window used by availability and recent_trend. */
export const RECENT_BLOCKS = 200;

/** What a provider's attempts looked like at a cut-off: only what happened before it counts. */
export interface HistoryAtCutoff {
  provider: ProviderInfo;
  /** The provider's attempts (any order); those claimed at or after `cutoff` are ignored. */
  attempts: readonly Attempt[];
  /** Features see blocks < cutoff. */
  cutoff: number;
}

interface Counts {
  claims: number;
  completed: number;
  approved: number;
  rejected: number;
  late: number;
  workMilli: number;
  turnaroundSum: number;
}

/** A completed attempt is late when it completed after its deadline; an open one when the deadline passed before `at` (unix s). */
function countAttempts(attempts: readonly Attempt[], cutoff: number, nowTime: number, fromBlock = -Infinity): Counts {
  const c: Counts = { claims: 0, completed: 0, approved: 0, rejected: 0, late: 0, workMilli: 0, turnaroundSum: 0 };
  for (const a of attempts) {
    if (a.claimBlock >= cutoff || a.claimBlock < fromBlock) continue;
    c.claims += 1;
    const done = a.completeBlock !== null && a.completeBlock < cutoff;
    const outcome = a.outcomeBlock !== null && a.outcomeBlock < cutoff ? a.outcome : null;
    if (done) {
      c.completed += 1;
      c.turnaroundSum += (a.completeBlock as number) - a.claimBlock;
      if ((a.completeTime as number) > a.deadline) c.late += 1;
      if (outcome !== 'rejected') c.workMilli += a.workUnitsMilli ?? 0;
    } else if (outcome === 'expired' || (outcome === null && nowTime > a.deadline)) {
      c.late += 1;
    }
    if (outcome === 'approved') c.approved += 1;
    if (outcome === 'rejected') c.rejected += 1;
  }
  return c;
}

export interface HistoryFeatureDefinition {
  description: string;
  compute(h: HistoryAtCutoff, ctx: { all: Counts; recent: Counts; nowTime: number }): number;
}

/**
 * Every feature computable from a provider's event history at a cut-off. Names are stable:
 * manifests refer to them. Smoothed rates keep a provider without history at a neutral value.
 */
export const PROVIDER_HISTORY_FEATURES = {
  success_rate: {
    description:
      'Laplace-smoothed share of reviewed jobs approved before the cut-off: (approved + 1) / (approved + rejected + 2); 0.5 before any review.',
    compute: (_h, { all }) => (all.approved + 1) / (all.approved + all.rejected + 2),
  },
  rejection_rate: {
    description: 'Rejected jobs per claimed job before the cut-off: rejected / (claimed + 1).',
    compute: (_h, { all }) => all.rejected / (all.claims + 1),
  },
  completion_rate: {
    description: 'Laplace-smoothed share of claimed jobs completed before the cut-off: (completed + 1) / (claimed + 2).',
    compute: (_h, { all }) => (all.completed + 1) / (all.claims + 2),
  },
  lateness: {
    description: 'Late jobs per claimed job: (completed after the deadline + expired or still open past the deadline) / (claimed + 1).',
    compute: (_h, { all }) => all.late / (all.claims + 1),
  },
  log_turnaround_blocks: {
    description:
      'ln(1 + mean blocks from claim to completion) over completed jobs; 0 before the first completion (slow providers score high).',
    compute: (_h, { all }) => (all.completed > 0 ? Math.log1p(all.turnaroundSum / all.completed) : 0),
  },
  log_work_units: {
    description: 'ln(1 + work units completed and not rejected before the cut-off); log because volume is heavy-tailed.',
    compute: (_h, { all }) => Math.log1p(all.workMilli / 1000),
  },
  benchmark_score: {
    description: 'Self-reported benchmark score (OctaneBench-style) from registration.',
    compute: (h) => h.provider.benchmarkScore,
  },
  vram_gb: {
    description: 'GPU memory in GiB from registration.',
    compute: (h) => h.provider.vramGb,
  },
  tier: {
    description: 'Provider tier 1..3; a provider may serve markets of its tier and below.',
    compute: (h) => h.provider.tier,
  },
  log_age_blocks: {
    description: 'ln(1 + blocks from registration to the cut-off).',
    compute: (h) => Math.log1p(Math.max(h.cutoff - h.provider.registeredAtBlock, 0)),
  },
  availability: {
    description: `Share of the last 4 windows of ${RECENT_BLOCKS / 4} blocks before the cut-off in which the provider claimed or completed a job.`,
    compute: (h) => {
      const w = RECENT_BLOCKS / 4;
      const active = new Set<number>();
      for (const a of h.attempts) {
        for (const b of [a.claimBlock, a.completeBlock]) {
          if (b === null || b >= h.cutoff || b < h.cutoff - RECENT_BLOCKS) continue;
          active.add(Math.floor((h.cutoff - 1 - b) / w));
        }
      }
      return active.size / 4;
    },
  },
  recent_trend: {
    description: `Smoothed completion rate of jobs claimed in the last ${RECENT_BLOCKS} blocks minus the all-time one (negative: getting worse).`,
    compute: (_h, { all, recent }) => (recent.completed + 1) / (recent.claims + 2) - (all.completed + 1) / (all.claims + 2),
  },
} satisfies Record<string, HistoryFeatureDefinition>;

export type ProviderHistoryFeatureName = keyof typeof PROVIDER_HISTORY_FEATURES;

export function isProviderHistoryFeature(name: string): name is ProviderHistoryFeatureName {
  return Object.hasOwn(PROVIDER_HISTORY_FEATURES, name);
}

/**
 * Feature values of one provider at a cut-off, in the order of `names`. `nowTime` (unix s) is the
 * time at the cut-off, for deadlines of jobs still open; by default the newest event time before it.
 */
export function buildHistoryFeatureVector(
  h: HistoryAtCutoff,
  names: readonly ProviderHistoryFeatureName[],
  nowTime = latestTimeBefore(h.attempts, h.cutoff),
): number[] {
  const all = countAttempts(h.attempts, h.cutoff, nowTime);
  const recent = countAttempts(h.attempts, h.cutoff, nowTime, h.cutoff - RECENT_BLOCKS);
  const ctx = { all, recent, nowTime };
  return names.map((n) => (PROVIDER_HISTORY_FEATURES[n] as HistoryFeatureDefinition).compute(h, ctx));
}

function latestTimeBefore(attempts: readonly Attempt[], cutoff: number): number {
  let t = 0;
  for (const a of attempts) if (a.completeBlock !== null && a.completeBlock < cutoff) t = Math.max(t, a.completeTime as number);
  return t;
}

/**
 * Address scoring: each address's features at cut-off `head.block + 1` (everything indexed counts),
 * with `head.time` as the clock for open jobs' deadlines. Addresses must be in `providers`.
 */
export function buildHistoryFeatureRows(
  providers: ReadonlyMap<string, ProviderInfo>,
  events: readonly JobEventRow[],
  head: { block: number; time: number } | null,
  addresses: readonly string[],
  names: readonly ProviderHistoryFeatureName[],
): number[][] {
  const byProvider = new Map<string, Attempt[]>();
  for (const a of buildAttempts(events)) {
    const list = byProvider.get(a.provider) ?? [];
    list.push(a);
    byProvider.set(a.provider, list);
  }
  return addresses.map((address) => {
    const provider = providers.get(address) as ProviderInfo;
    const cutoff = Math.max(head?.block ?? 0, provider.registeredAtBlock) + 1;
    return buildHistoryFeatureVector({ provider, attempts: byProvider.get(address) ?? [], cutoff }, names, head?.time ?? 0);
  });
}
