// Batch-first state: every entity a batch touches is loaded with one query per type before the
// batch is applied, changed in memory, and written back with one upsert per type.
import type { Store } from '@subsquid/typeorm-store';
import type { EntityManager } from 'typeorm';
import { copyInsert, copyUpsert, type HotChangeLog } from './copy';
import { loadWhere } from './load';

interface Entity {
  id: string;
}
type EntityClass<E> = new (props?: Partial<E>) => E;

export class EntityCache<E extends Entity> {
  private readonly map = new Map<string, E>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();

  constructor(readonly cls: EntityClass<E>) {}

  /**
   * Loads the rows with these ids that are not cached yet: one query (load.ts). Many-to-one relations
   * come as stubs holding the related id, which an upsert writes back unchanged.
   */
  async load(store: Store, ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.map.has(id));
    if (missing.length === 0) return;
    this.prime(await this.loadBy(store, 'id', missing));
  }

  /** The rows whose text column `column` is one of `values` (not added to the cache). */
  loadBy(store: Store, column: keyof E & string, values: readonly string[]): Promise<E[]> {
    return loadWhere<E>(storeEm(store), this.cls, column, values);
  }

  /** Adds rows loaded by another query (e.g. by a secondary key). */
  prime(rows: E[]): void {
    for (const e of rows) if (!this.map.has(e.id)) this.map.set(e.id, e);
  }

  get(id: string): E | undefined {
    return this.map.get(id);
  }

  /** The entity with this id; a chain event that refers to an unknown one is a bug or a wrong chain. */
  require(id: string, what: string): E {
    const e = this.map.get(id);
    if (!e) throw new Error(`${what} ${id} is not indexed`);
    return e;
  }

  /** Stores a new or changed entity, to be written at the end of the batch. */
  put(e: E): E {
    this.map.set(e.id, e);
    this.dirty.add(e.id);
    this.removed.delete(e.id);
    return e;
  }

  /** Deletes the entity at the end of the batch (unless put again). */
  remove(id: string): void {
    this.map.delete(id);
    this.dirty.delete(id);
    this.removed.add(id);
  }

  values(): IterableIterator<E> {
    return this.map.values();
  }

  /** Writes the new and changed entities (one upsert); returns their ids. */
  async flush(store: Store): Promise<string[]> {
    const ids = [...this.dirty];
    if (ids.length) {
      const rows = ids.map((id) => this.map.get(id) as E);
      await copyUpsert(storeEm(store), this.cls, rows, hotChangeLog(store));
    }
    if (this.removed.size) await store.remove(this.cls, [...this.removed]);
    this.dirty.clear();
    const removed = [...this.removed];
    this.removed.clear();
    return [...ids, ...removed];
  }
}

/** Append-only rows (one per chain event): inserted once at the end of the batch. */
export class EventRows<E extends Entity> {
  readonly rows: E[] = [];
  push(e: E): void {
    this.rows.push(e);
  }
  /** Inserts the rows (one insert); returns their ids. */
  async flush(store: Store): Promise<string[]> {
    const rows = this.rows.splice(0);
    if (rows.length) await copyInsert(storeEm(store), rows[0]!.constructor as EntityClass<E>, rows, hotChangeLog(store));
    return rows.map((r) => r.id);
  }
}

/**
 * The change log of a hot block: typeorm-store passes that block's store a ChangeTracker, in which
 * every write must be recorded so that a reorg can roll it back (copy.ts writes the same records).
 * Undefined for a batch of finalized blocks.
 */
export function hotChangeLog(store: Store): HotChangeLog | undefined {
  return (store as unknown as { changes?: HotChangeLog }).changes;
}

/** The batch transaction's EntityManager (typeorm-store keeps it private). */
export function storeEm(store: Store): EntityManager {
  return (store as unknown as { em: () => EntityManager }).em();
}
