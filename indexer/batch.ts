// Batch-first state: every entity a batch touches is loaded with one query per type before the
// batch is applied, changed in memory, and written back with one upsert per type.
import type { Store } from '@subsquid/typeorm-store';
import { type EntityManager, type FindOptionsRelations, In } from 'typeorm';
import { copyInsert, copyUpsert } from './copy';

interface Entity {
  id: string;
}
type EntityClass<E> = new (props?: Partial<E>) => E;

export class EntityCache<E extends Entity> {
  private readonly map = new Map<string, E>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();

  /**
   * relations: the entity's many-to-one fields. They must be loaded with it, because an upsert
   * writes every column, and an unloaded relation would be written back as NULL.
   */
  constructor(
    readonly cls: EntityClass<E>,
    readonly relations: Record<string, true> = {},
  ) {}

  /** Loads the rows with these ids that are not cached yet: one query. */
  async load(store: Store, ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.map.has(id));
    if (missing.length === 0) return;
    // biome-ignore lint/suspicious/noExplicitAny: TypeORM's where type cannot express a generic id
    this.prime(await store.find(this.cls, { where: { id: In(missing) } as any, relations: this.relations as FindOptionsRelations<E> }));
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
      const em = finalizedEm(store);
      if (em) await copyUpsert(em, this.cls, rows);
      else await store.upsert(rows);
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
    if (rows.length) {
      const em = finalizedEm(store);
      if (em) await copyInsert(em, rows[0]!.constructor as EntityClass<E>, rows);
      else await store.insert(rows);
    }
    return rows.map((r) => r.id);
  }
}

/**
 * The transaction of a batch of finalized blocks, whose writes can go through COPY (copy.ts); undefined
 * for a hot block, whose writes typeorm-store must record in its change log (it passes that block's
 * store a ChangeTracker) so that a reorg can roll them back.
 */
export function finalizedEm(store: Store): EntityManager | undefined {
  const s = store as unknown as { changes?: unknown; em: () => EntityManager };
  return s.changes === undefined ? s.em() : undefined;
}
