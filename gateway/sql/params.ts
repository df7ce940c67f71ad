/** Bound parameters of one SQL statement: `add` returns the `$n::type` placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * `sql` with every SqlParams placeholder made opaque, `(SELECT $n::type)::type`: a value Postgres
 * learns only when it runs the plan. Its plans for every set of values are then the same, so a
 * prepared statement keeps its generic plan instead of planning anew on every execution (the
 * fan-out in operation.ts). The compiled statements hold no other `$n::`: values are bound, and
 * their literals are schema and GraphQL names.
 */
export function opaqueParams(sql: string): string {
  return sql.replace(/\$\d+::\w+(?:\[\])?/g, (p) => `(SELECT ${p})${p.slice(p.indexOf('::'))}`);
}

/** A quoted identifier; names come from the entity specs, never from clients. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
