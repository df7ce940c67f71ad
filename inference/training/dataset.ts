// Training examples from an indexed history: one row per (provider, cut-off block) with features
// from events before the cut-off and a label from the provider's next job after it. Pure.
import {
  type Attempt,
  buildAttempts,
  buildHistoryFeatureVector,
  type JobEventRow,
  type ProviderHistoryFeatureName,
  type ProviderInfo,
} from '../features/provider-history';

export interface DatasetOptions {
  features: readonly ProviderHistoryFeatureName[];
  /** Blocks between cut-offs. */
  step: number;
  /** The label looks at jobs claimed in [cutoff, cutoff + horizon) and their fate up to cutoff + horizon. */
  horizon: number;
  /** A job completed more than this many blocks after its claim (or not completed by then) is late. */
  lateBlocks: number;
}

export interface Example {
  provider: string;
  cutoff: number;
  x: number[];
  /** 1: the next job was completed on time and not rejected; 0: rejected, late, expired or reassigned. */
  y: 0 | 1;
}

export interface Dataset {
  examples: Example[];
  /** Blocks the events span. */
  fromBlock: number;
  toBlock: number;
}

/**
 * Label of the provider's first job claimed in [cutoff, end), judged at `end`; null when it has
 * none, or its fate is still open and not yet late, or the sender cancelled it.
 */
export function buildLabel(attempts: readonly Attempt[], cutoff: number, end: number, lateBlocks: number): 0 | 1 | null {
  let next: Attempt | null = null;
  for (const a of attempts) {
    if (a.claimBlock >= cutoff && a.claimBlock < end && (next === null || a.claimBlock < next.claimBlock)) next = a;
  }
  if (next === null) return null;
  const outcome = next.outcomeBlock !== null && next.outcomeBlock < end ? next.outcome : null;
  if (outcome === 'rejected' || outcome === 'expired' || outcome === 'reassigned') return 0;
  if (outcome === 'cancelled') return null;
  if (next.completeBlock !== null && next.completeBlock < end) {
    const late = (next.completeTime as number) > next.deadline || next.completeBlock - next.claimBlock > lateBlocks;
    return late ? 0 : 1;
  }
  return end - next.claimBlock > lateBlocks ? 0 : null;
}

/** Time (unix s) of the newest event before each block, by binary search over the sorted events. */
export function buildClock(events: readonly JobEventRow[]): (block: number) => number {
  const pts = events.map((e) => [e.blockNumber, e.timestamp] as const).sort((a, b) => a[0] - b[0]);
  return (block) => {
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pts[mid] as readonly [number, number])[0] < block) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : (pts[lo - 1] as readonly [number, number])[1];
  };
}

/** Rows in, examples out, ordered by cut-off then provider address. */
export function buildDataset(providers: ReadonlyMap<string, ProviderInfo>, events: readonly JobEventRow[], opts: DatasetOptions): Dataset {
  if (events.length === 0) return { examples: [], fromBlock: 0, toBlock: 0 };
  const fromBlock = Math.min(...events.map((e) => e.blockNumber));
  const toBlock = Math.max(...events.map((e) => e.blockNumber));
  const byProvider = new Map<string, Attempt[]>();
  for (const a of buildAttempts(events)) {
    const list = byProvider.get(a.provider) ?? [];
    list.push(a);
    byProvider.set(a.provider, list);
  }
  const clock = buildClock(events);
  const addresses = [...providers.keys()].sort();
  const examples: Example[] = [];
  for (let cutoff = fromBlock + opts.step; cutoff + opts.horizon <= toBlock + 1; cutoff += opts.step) {
    const nowTime = clock(cutoff);
    for (const address of addresses) {
      const provider = providers.get(address) as ProviderInfo;
      if (provider.registeredAtBlock >= cutoff) continue;
      const attempts = byProvider.get(address) ?? [];
      const y = buildLabel(attempts, cutoff, cutoff + opts.horizon, opts.lateBlocks);
      if (y === null) continue;
      examples.push({ provider: address, cutoff, x: buildHistoryFeatureVector({ provider, attempts, cutoff }, opts.features, nowTime), y });
    }
  }
  return { examples, fromBlock, toBlock };
}

/**
 * Time-based split: examples whose label window ends by `splitBlock` train, those whose cut-off is
 * at or after it test, so no test label was visible to training.
 */
export function splitByTime(examples: readonly Example[], splitBlock: number, horizon: number): { train: Example[]; test: Example[] } {
  return {
    train: examples.filter((e) => e.cutoff + horizon <= splitBlock),
    test: examples.filter((e) => e.cutoff >= splitBlock),
  };
}
