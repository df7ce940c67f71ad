// After each batch, a Postgres NOTIFY says what changed, for the gateway's subscriptions. It is sent
// inside the batch's transaction, so Postgres delivers it at commit, and never for a rolled-back batch;
// every listener (each gateway replica) gets it. A batch that changed nothing is notified too: the
// index moved on (the gateway's newBlock), and its payload is a few bytes.
import type { Store } from '@subsquid/typeorm-store';
import type { EntityManager } from 'typeorm';
import type { Changes } from './state';

export const CHANGES_CHANNEL = 'gridmind_changes';
/** Postgres caps a payload at 8000 bytes; above this the ids are replaced by counts. */
const MAX_PAYLOAD = 7900;

export interface ChangesPayload {
  block: number;
  /** Entity → changed ids, or → count when `truncated`. */
  entities: Record<string, string[] | number>;
  truncated?: true;
}

/** compact: counts only (a backfill far behind the head: no subscriber wants every id of it). */
export function buildChangesPayload(block: number, changes: Changes, compact = false): string {
  const full = compact ? '' : JSON.stringify({ block, entities: changes } satisfies ChangesPayload);
  if (!compact && full.length <= MAX_PAYLOAD) return full;
  const counts = Object.fromEntries(Object.entries(changes).map(([k, ids]) => [k, ids.length]));
  return JSON.stringify({ block, entities: counts, truncated: true } satisfies ChangesPayload);
}

export async function notifyChanges(store: Store, block: number, changes: Changes, compact = false): Promise<void> {
  // The store's transaction-bound EntityManager: typeorm-store keeps it private, and the NOTIFY must
  // run in that transaction to be tied to the commit.
  const em = (store as unknown as { em: () => EntityManager }).em();
  await em.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, buildChangesPayload(block, changes, compact)]);
}
