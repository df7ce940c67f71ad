/** Bound parameters of one SQL statement: `add` returns the `$n::type` placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** A quoted identifier; names come from the entity specs, never from clients. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
