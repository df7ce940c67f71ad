// The indexer's progress line, from counters sampled over time: pure, so it is tested without I/O.

export interface ProgressSample {
  /** ms since epoch */
  at: number;
  height: number;
  events: number;
}

export interface ProgressInput {
  from: number;
  head: number | null;
  prev: ProgressSample;
  now: ProgressSample;
  following: boolean;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function buildProgressLine(p: ProgressInput): string {
  const dt = Math.max(1, p.now.at - p.prev.at) / 1000;
  const blocksPerSec = (p.now.height - p.prev.height) / dt;
  const eventsPerSec = (p.now.events - p.prev.events) / dt;
  if (p.head === null) return `indexer: block ${fmt(p.now.height)}, ${fmt(blocksPerSec)} blocks/s, ${fmt(eventsPerSec)} events/s`;
  const lag = Math.max(0, p.head - p.now.height);
  if (p.following) return `indexer: following at block ${fmt(p.now.height)}, lag ${fmt(lag)} blocks, ${fmt(eventsPerSec)} events/s`;
  const span = Math.max(1, p.head - p.from);
  const pct = Math.min(100, (100 * Math.max(0, p.now.height - p.from)) / span);
  const eta = blocksPerSec > 0 ? formatEta(lag / blocksPerSec) : '?';
  return `indexer: block ${fmt(p.now.height)} / ${fmt(p.head)} (${pct.toFixed(1)}%), ${fmt(blocksPerSec)} blocks/s, ${fmt(eventsPerSec)} events/s, ETA ${eta}`;
}
