// What the indexer says changed after each committed batch (NOTIFY on CHANGES_CHANNEL, see
// indexer/notify.ts), parsed, and fanned out in-process to every subscription of this gateway.
// Pure: no database; gateway/listener.ts feeds it.

/** Must equal indexer/notify.ts CHANGES_CHANNEL (a test checks). */
export const CHANGES_CHANNEL = 'gridmind_changes';

/** One batch's changes. `null` for an entity: it changed, but the ids were not listed. */
export interface ChangeEvent {
  /** Height of the batch's last block. */
  block: number;
  /**
   * The block of the previous event this process saw (exclusive lower bound of this batch), or
   * null if unknown. With `null` ids, rows changed in (fromBlock, block] are the candidates.
   */
  fromBlock: number | null;
  entities: Record<string, string[] | null>;
}

/**
 * Parses a NOTIFY payload: `{ block, entities: { Job: ["1", …] } }`, or with `truncated: true`
 * `{ block, entities: { Job: 1234 } }`. Returns undefined for anything else (logged by the caller).
 */
export function parseChangesPayload(payload: string): Omit<ChangeEvent, 'fromBlock'> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { block, entities, truncated } = raw as { block?: unknown; entities?: unknown; truncated?: unknown };
  if (!Number.isSafeInteger(block) || typeof entities !== 'object' || entities === null || Array.isArray(entities)) return undefined;
  const out: Record<string, string[] | null> = {};
  for (const [name, v] of Object.entries(entities)) {
    if (Array.isArray(v) && !truncated) {
      if (!v.every((id) => typeof id === 'string')) return undefined;
      out[name] = v as string[];
    } else if (typeof v === 'number' && truncated === true) {
      out[name] = null;
    } else {
      return undefined;
    }
  }
  return { block: block as number, entities: out };
}

export interface ChangeFeedOptions {
  /** Events queued per subscriber before the oldest are dropped (a stalled client must not grow memory). */
  maxQueue?: number;
  onDrop?: (dropped: number) => void;
}

export interface ChangeFeed {
  /** Sends an event to every current subscriber; `fromBlock` is filled from the previous event. */
  publish(event: Omit<ChangeEvent, 'fromBlock'> & { fromBlock?: number | null }): void;
  /** Events from now on; `return()` (a `break` in for-await) unsubscribes. */
  subscribe(): AsyncIterableIterator<ChangeEvent>;
  /** Block of the last event published, or the baseline set by the listener. */
  lastBlock: number | null;
  subscribers(): number;
}

export function createChangeFeed(opts: ChangeFeedOptions = {}): ChangeFeed {
  const maxQueue = opts.maxQueue ?? 1000;
  const subs = new Set<{ queue: ChangeEvent[]; wake?: () => void }>();

  const feed: ChangeFeed = {
    lastBlock: null,
    publish(e) {
      const event: ChangeEvent = {
        block: e.block,
        entities: e.entities,
        fromBlock: e.fromBlock !== undefined ? e.fromBlock : feed.lastBlock,
      };
      feed.lastBlock = e.block;
      for (const s of subs) {
        s.queue.push(event);
        if (s.queue.length > maxQueue) {
          s.queue.splice(0, s.queue.length - maxQueue);
          opts.onDrop?.(1);
        }
        s.wake?.();
      }
    },
    subscribe() {
      const sub: { queue: ChangeEvent[]; wake?: () => void } = { queue: [] };
      subs.add(sub);
      let done = false;
      const it: AsyncIterableIterator<ChangeEvent> = {
        async next() {
          while (!done) {
            const e = sub.queue.shift();
            if (e) return { done: false, value: e };
            await new Promise<void>((resolve) => {
              sub.wake = resolve;
            });
            sub.wake = undefined;
          }
          return { done: true, value: undefined };
        },
        async return() {
          done = true;
          subs.delete(sub);
          sub.wake?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return it;
        },
      };
      return it;
    },
    subscribers: () => subs.size,
  };
  return feed;
}
