// A deterministic synthetic job history for tests: providers with a hidden reliability claim jobs
// in turn; reliable ones complete quickly and are approved, unreliable ones run late or are rejected.
import type { JobEventRow, ProviderInfo } from '../features/provider-history';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticHistory {
  providers: Map<string, ProviderInfo>;
  events: JobEventRow[];
  reliability: Map<string, number>;
}

/** `n` providers over `blocks` blocks; 12 s per block; deadlines 60 blocks after posting. */
export function buildSyntheticHistory(seed: number, n = 24, blocks = 3000): SyntheticHistory {
  const rand = mulberry32(seed);
  const providers = new Map<string, ProviderInfo>();
  const reliability = new Map<string, number>();
  const events: JobEventRow[] = [];
  let job = 0;
  for (let i = 0; i < n; i++) {
    const address = `0x${(i + 1).toString(16).padStart(40, '0')}`;
    const r = 0.5 + (0.5 * i) / (n - 1);
    reliability.set(address, r);
    providers.set(address, {
      address,
      benchmarkScore: Math.round(200 + 800 * rand()),
      vramGb: [8, 16, 24, 48][Math.floor(rand() * 4)] as number,
      tier: 1 + Math.floor(rand() * 3),
      registeredAtBlock: Math.floor(rand() * 50),
    });
    let b = 60 + Math.floor(rand() * 20);
    while (b < blocks) {
      const jobId = String(++job);
      const deadline = (b + 60) * 12;
      const work = 1000 + Math.floor(rand() * 4000);
      const ev = (kind: string, blockNumber: number, actor = address, workUnitsMilli: number | null = null): JobEventRow => ({
        jobId,
        kind,
        actor,
        blockNumber,
        timestamp: blockNumber * 12,
        deadline,
        workEstimateMilli: work,
        workUnitsMilli,
      });
      events.push(ev('CLAIMED', b));
      let turnaround = 5 + Math.floor(rand() * 10);
      while (rand() > r) turnaround += 15;
      const done = b + turnaround;
      if (turnaround > 70) {
        events.push(ev('EXPIRED', b + 60, '0xsender'));
        b += 65;
      } else {
        events.push(ev('COMPLETED', done, address, work));
        events.push(ev(rand() < r ? 'APPROVED' : 'REJECTED', done + 5, '0xsender'));
        b = done + 6;
      }
      b += Math.floor(rand() * 20);
    }
  }
  return { providers, events, reliability };
}
