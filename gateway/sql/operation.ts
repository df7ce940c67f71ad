// One SQL statement for a whole query operation, its JSON built inside Postgres: the read path's
// fast lane. Covers the entity API (root lists and lookups, scalar fields, to-one relations, pages
// of to-many relations with where / orderBy / first / after / totalCount / pageInfo, __typename,
// fragments, @skip / @include); anything else (rankings, scores, _meta, protocol extras) makes
// compileOperation return null, and graphql-js runs the resolvers as before. Both lanes must give
// the same answer: test/gateway-operation.test.ts compares them query by query.
//
// Output must match what graphql-js serialises through our scalars: BigInt as decimal strings,
// DateTime as Date#toISOString (UTC, milliseconds), Float and Int as numbers, enums as their names
// (stored as such), and object keys in selection order (json, not jsonb, keeps them).
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ENTITY_SPECS, type EntitySpec, type FieldSpec } from '../entities';
import { compileWhere, type Where } from './filter';
import { type CheckedListArgs, checkListArgs, conditions, type ListArgs } from './list';
import { ident, opaqueParams, SqlParams } from './params';

export interface CompiledOperation {
  sql: string;
  params: unknown[];
}

/** Thrown inside the compiler for a selection it does not cover; compileOperation answers null. */
class Unsupported extends Error {}

/** To-many relations of the entity API (gateway/resolvers.ts, protocol.resolver.ts): field → rows by foreign key. */
const TO_MANY: Partial<Record<string, Record<string, { spec: EntitySpec; column: string }>>> = {
  Subnet: {
    neurons: { spec: ENTITY_SPECS.Neuron, column: 'subnet_id' },
    epochs: { spec: ENTITY_SPECS.SubnetEpoch, column: 'subnet_id' },
    stakePositions: { spec: ENTITY_SPECS.StakePosition, column: 'subnet_id' },
    weights: { spec: ENTITY_SPECS.Weights, column: 'subnet_id' },
  },
  SubnetEpoch: { neurons: { spec: ENTITY_SPECS.NeuronEpoch, column: 'subnet_epoch_id' } },
  Market: {
    jobs: { spec: ENTITY_SPECS.Job, column: 'market_id' },
    epochs: { spec: ENTITY_SPECS.MarketEpoch, column: 'market_id' },
  },
  Provider: {
    jobs: { spec: ENTITY_SPECS.Job, column: 'provider_id' },
    epochs: { spec: ENTITY_SPECS.ProviderEpoch, column: 'provider_id' },
  },
  Job: { events: { spec: ENTITY_SPECS.JobEvent, column: 'job_id' } },
};

/** Root lookups (gateway/resolvers.ts LookupResolver): the first row matching the arguments. */
const LOOKUPS: Record<string, EntitySpec> = {
  subnet: ENTITY_SPECS.Subnet,
  neuron: ENTITY_SPECS.Neuron,
  neuronByHotkey: ENTITY_SPECS.Neuron,
  market: ENTITY_SPECS.Market,
  provider: ENTITY_SPECS.Provider,
  job: ENTITY_SPECS.Job,
};

const LISTS: Record<string, EntitySpec> = Object.fromEntries(Object.values(ENTITY_SPECS).map((s) => [s.plural, s]));

/**
 * Related rows (markets of a market filter, say) that a fan-out page reads through an index scan
 * each, merged; the rest share one more arm (Compiler.fanOutPage).
 */
export const FAN_OUT_ARMS = 8;

/** json_build_object takes at most 100 arguments. */
const MAX_KEYS = 50;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A column as its GraphQL value in JSON. */
function columnJson(f: FieldSpec, t: string): string {
  const col = `${t}.${ident(f.column)}`;
  switch (f.kind) {
    case 'bigint':
      return `${col}::text`;
    case 'datetime':
      return iso(col);
    default:
      return col;
  }
}

/** The JSON text of a sort value as JSON.stringify writes it in a cursor (sql/list.ts encodeCursor). */
function cursorValueJson(f: FieldSpec, t: string): string {
  const col = `${t}.${ident(f.column)}`;
  switch (f.kind) {
    case 'int':
      return `${col}::text`;
    case 'datetime':
      return `to_json(${iso(col)})::text`;
    case 'bigint':
    case 'id':
    case 'string':
    case 'enum':
      return `to_json(${col}::text)::text`;
    default:
      throw new Unsupported(`cursor on ${f.kind}`);
  }
}

export interface CompileOptions {
  /** FAN_OUT_ARMS by default; tests take fewer, to reach the shared arm with few related rows. */
  fanOutArms?: number;
}

class Compiler {
  readonly params = new SqlParams();
  /** Whether a page fanned out (then the statement's parameters are made opaque). */
  fannedOut = false;
  private aliases = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly fanOutArms: number,
  ) {}

  private alias(): string {
    return `"t${this.aliases++}"`;
  }

  /** graphql-js's CollectFields: fields by response key, fragments inlined, @skip / @include applied. */
  collect(typeName: string, sets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const out = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const walk = (set: SelectionSetNode) => {
      for (const sel of set.selections) {
        if (!this.included(sel)) continue;
        if (sel.kind === Kind.FIELD) {
          const key = sel.alias?.value ?? sel.name.value;
          const list = out.get(key);
          if (list) list.push(sel);
          else out.set(key, [sel]);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          if (sel.typeCondition && sel.typeCondition.name.value !== typeName) throw new Unsupported('type condition');
          walk(sel.selectionSet);
        } else {
          const name = sel.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const frag = this.fragments[name];
          if (!frag || frag.typeCondition.name.value !== typeName) throw new Unsupported('fragment');
          walk(frag.selectionSet);
        }
      }
    };
    for (const s of sets) walk(s);
    return out;
  }

  private included(node: { directives?: readonly unknown[] }): boolean {
    if (!node.directives?.length) return true;
    // biome-ignore lint/suspicious/noExplicitAny: graphql-js's own node types
    const n = node as any;
    if (getDirectiveValues(GraphQLSkipDirective, n, this.variables)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, n, this.variables)?.if === false) return false;
    return true;
  }

  private args(parent: GraphQLObjectType, node: FieldNode): Record<string, unknown> {
    const def = parent.getFields()[node.name.value] as GraphQLField<unknown, unknown> | undefined;
    if (!def) throw new Unsupported(`no field ${node.name.value}`);
    return getArgumentValues(def, node, this.variables);
  }

  private objectType(name: string): GraphQLObjectType {
    const t = this.schema.getType(name);
    if (!t || !('getFields' in t) || t.astNode?.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) throw new Unsupported(`type ${name}`);
    return t as GraphQLObjectType;
  }

  /**
   * The selected fields of one row of `spec` (table alias `t`): response key and SQL value, in
   * selection order. With `joins` (a FROM clause over many rows), to-one relations to a table of
   * few rows become LEFT JOINs pushed there: Postgres hashes or keeps the small table once, where a
   * subquery per row scanned its page every time (~5 µs a row with 9 markets; the 50-job list
   * page's statement went from 1.29 to 0.92 ms). Other relations stay lookups by key per row: as
   * joins, Postgres priced 50 index lookups above a scan of 2,000 cached providers and took the
   * scan (that statement then took 3.1 ms).
   */
  private fields(spec: EntitySpec, t: string, nodes: readonly FieldNode[], joins?: string[]): [string, string][] {
    const type = this.objectType(spec.name);
    const pairs: [string, string][] = [];
    for (const [key, fields] of this.collect(spec.name, nodes.map((n) => n.selectionSet!).filter(Boolean))) {
      const node = fields[0]!;
      const name = node.name.value;
      let value: string;
      const f = spec.fields[name];
      const many = TO_MANY[spec.name]?.[name];
      if (name === '__typename') value = `${lit(spec.name)}::text`;
      else if (f && !f.relation) value = columnJson(f, t);
      else if (f?.relation) {
        const target = ENTITY_SPECS[f.relation];
        const r = this.alias();
        const select = this.rowJsonSelect(target, r, fields, `FROM ${ident(target.table)} ${r} WHERE ${r}."id" = ${t}.${ident(f.column)}`);
        if (joins && target.fewRows) {
          const j = this.alias();
          joins.push(` LEFT JOIN LATERAL (${select}) ${j} ON TRUE`);
          value = `${j}."v"`;
        } else value = `(${select})`;
      } else if (many) {
        value = this.page(many.spec, this.args(type, node) as ListArgs, fields, (r) => `${r}.${ident(many.column)} = ${t}."id"`);
      } else throw new Unsupported(`${spec.name}.${name}`);
      pairs.push([key, value]);
    }
    if (pairs.length > MAX_KEYS) throw new Unsupported('too many keys');
    return pairs;
  }

  /**
   * `v AS "key", …` for a composite row that row_to_json / json_agg turn into the object: Postgres
   * writes those compactly and several times faster than json_build_object with its variadic
   * arguments. Null when a key is longer than a Postgres column name (63 bytes, else truncated).
   */
  private columns(pairs: [string, string][]): string | null {
    if (pairs.some(([k]) => Buffer.byteLength(k) > 63)) return null;
    return pairs.map(([k, v]) => `${v} AS ${ident(k)}`).join(', ');
  }

  private jsonObject(pairs: [string, string][]): string {
    return `json_build_object(${pairs.map(([k, v]) => `${lit(k)}, ${v}`).join(', ')})`;
  }

  /**
   * `SELECT <json> AS "v" …`: the JSON of the one row that `from` (`FROM table alias WHERE …`,
   * alias `t`) finds; no row without one.
   */
  private rowJsonSelect(spec: EntitySpec, t: string, nodes: readonly FieldNode[], from: string): string {
    const pairs = this.fields(spec, t, nodes);
    const cols = this.columns(pairs);
    if (cols === null) return `SELECT ${this.jsonObject(pairs)} AS "v" ${from}`;
    const y = this.alias();
    return `SELECT row_to_json(${y}) AS "v" FROM (SELECT ${cols} ${from}) ${y}`;
  }

  /** The JSON of the one row that `from` (`FROM table alias WHERE …`, alias `t`) finds, or null. */
  private rowJson(spec: EntitySpec, t: string, nodes: readonly FieldNode[], from: string): string {
    return `(${this.rowJsonSelect(spec, t, nodes, from)})`;
  }

  /**
   * The JSON of each row of alias `t` in a FROM clause: the joins to add after it (its to-one
   * relations, then a LATERAL projection that Postgres pulls up), the value to aggregate, and
   * whether it joined relations (then rows may come out of the joins in any order).
   */
  private lateralJson(spec: EntitySpec, t: string, nodes: readonly FieldNode[]): { join: string; value: string; joined: boolean } {
    const joins: string[] = [];
    const pairs = this.fields(spec, t, nodes, joins);
    const cols = this.columns(pairs);
    const joined = joins.length > 0;
    if (cols === null) return { join: joins.join(''), value: this.jsonObject(pairs), joined };
    const y = this.alias();
    return { join: `${joins.join('')} CROSS JOIN LATERAL (SELECT ${cols}) ${y}`, value: y, joined };
  }

  /**
   * A page `{ items, pageInfo, totalCount }` of `spec`, optionally tied to a parent row. Page sizes
   * are literals, not parameters: Postgres plans `LIMIT $n` for an unknown n, and a statement with
   * one was planned anew on every execution instead of once per connection.
   *
   * The rows come from one ordered subquery and the aggregates take them in that order (no sort
   * inside json_agg): a subquery scan, a window and a pulled-up LATERAL projection keep it. Joined
   * to-one relations may not (a hash join can emit the page's rows in the related table's order),
   * so with those the aggregates sort their rows again, a few microseconds for a page.
   */
  page(spec: EntitySpec, raw: ListArgs, nodes: readonly FieldNode[], parent?: (alias: string) => string): string {
    const args: CheckedListArgs = checkListArgs(spec, raw);
    const pageType = `${spec.name}Page`;
    const selected = this.collect(
      pageType,
      nodes.map((n) => n.selectionSet!),
    );
    const r = this.alias();
    const p = this.alias();
    const table = ident(spec.table);
    const sort = spec.fields[args.orderBy];
    const order = (a: string) => `${a}.${ident(sort.column)} ${args.direction}, ${a}."id" ${args.direction}`;
    const first = args.first;
    // With pageInfo the page reads one row more (is there a next page?) and numbers its rows.
    const numbered = [...selected.values()].some((fields) => fields[0]!.name.value === 'pageInfo');
    // Values of the aggregates take the aggregates' ORDER BY, known once every item row is built.
    const pairs: [string, string | ((aggOrder: string) => string)][] = [];
    const joins: string[] = [];
    let needRows = false;
    let joined = false;
    for (const [key, fields] of selected) {
      const name = fields[0]!.name.value;
      let value: string | ((aggOrder: string) => string);
      if (name === '__typename') value = `${lit(pageType)}::text`;
      else if (name === 'items') {
        needRows = true;
        const row = this.lateralJson(spec, p, fields);
        joins.push(row.join);
        joined ||= row.joined;
        value = (aggOrder) =>
          `coalesce(json_agg(${row.value}${aggOrder})${numbered ? ` FILTER (WHERE ${p}."__n" <= ${first})` : ''}, '[]'::json)`;
      } else if (name === 'pageInfo') {
        needRows = true;
        const info: [string, string | ((aggOrder: string) => string)][] = [];
        for (const [k, fs] of this.collect(
          'PageInfo',
          fields.map((n) => n.selectionSet!),
        )) {
          const n = fs[0]!.name.value;
          if (n === '__typename') info.push([k, `'PageInfo'::text`]);
          else if (n === 'hasNextPage') info.push([k, `count(*) > ${first}`]);
          else if (n === 'endCursor') {
            const json = `'["' || ${lit(args.orderBy)} || '",' || ${cursorValueJson(sort, p)} || ',' || to_json(${p}."id"::text)::text || ']'`;
            const b64 = `translate(encode(convert_to(${json}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
            // The last item's: rows arrive numbered 1, 2, …, so it is element min(rows, first).
            info.push([k, (aggOrder) => `(array_agg(${b64}${aggOrder}) FILTER (WHERE ${p}."__n" <= ${first}))[least(count(*), ${first})]`]);
          } else throw new Unsupported(`PageInfo.${n}`);
        }
        value = (aggOrder) => this.jsonObject(info.map(([k, v]) => [k, typeof v === 'string' ? v : v(aggOrder)]));
      } else if (name === 'totalCount') {
        const c = this.alias();
        const conds = [...(parent ? [parent(c)] : [])];
        const w = compileWhere(spec, args.where as Where | null | undefined, this.params);
        if (w) conds.push(qualify(w, c));
        value = `(SELECT count(*)::int FROM ${table} ${c}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''})`;
      } else throw new Unsupported(`${pageType}.${name}`);
      pairs.push([key, value]);
    }
    if (pairs.length > MAX_KEYS) throw new Unsupported('too many keys');
    const aggOrder = joined ? ` ORDER BY ${numbered ? `${p}."__n"` : order(p)}` : '';
    const obj = this.jsonObject(pairs.map(([k, v]) => [k, typeof v === 'string' ? v : v(aggOrder)]));
    if (!needRows) return `(SELECT ${obj})`;
    const limit = numbered ? first + 1 : first;
    const fan = fanOut(spec, args);
    // A fan-out's arms look up related rows per row they read (compileWhere's outer).
    const conds = [
      ...(parent ? [parent(r)] : []),
      ...conditions(spec, fan ? { ...args, where: fan.rest } : args, this.params, true, fan ? r : undefined).map((c) => qualify(c, r)),
    ];
    let page: string;
    if (fan) {
      this.fannedOut = true;
      page = this.fanOutPage(spec, fan, conds, r, order, limit);
    } else {
      page = `SELECT ${r}.* FROM ${table} ${r}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${order(r)}`;
    }
    const rows = numbered
      ? `SELECT ${r}.*, row_number() OVER (ORDER BY ${order(r)}) AS "__n" FROM (${page} LIMIT ${limit}) ${r}`
      : `${page} LIMIT ${limit}`;
    return `(SELECT ${obj} FROM (${rows}) ${p}${joins.join('')})`;
  }

  /**
   * The rows of a page filtered through a relation with fanOutOrders, in page order (the caller
   * takes the first `limit`): a merge of the related rows' own first rows, each read from the
   * (foreign key, order, id) index. The related rows' keys go into an array; arm k reads key k
   * (none past the array's end), and one more arm reads each key past FAN_OUT_ARMS and sorts those.
   * Postgres merges the arms' ordered outputs (Merge Append) and stops at `limit` in all, so a
   * related row whose rows come late is read only up to that point, where a LATERAL join per key
   * read `limit` rows of every key. Every row of the first `limit` is among its own key's first
   * `limit`, so the result is that of the plain ORDER BY … LIMIT.
   *
   * Planning the arms takes a few milliseconds; the statement's parameters are opaque (opaqueParams)
   * so that the prepared statement keeps one generic plan. The conditions look up related rows per
   * row (compileWhere's outer): with opaque values, a semi-join was planned against the whole
   * related table.
   */
  private fanOutPage(
    spec: EntitySpec,
    fan: NonNullable<ReturnType<typeof fanOut>>,
    conds: string[],
    r: string,
    order: (alias: string) => string,
    limit: number,
  ): string {
    const table = ident(spec.table);
    const f = this.alias();
    const m = this.alias();
    const x = this.alias();
    const o = this.alias();
    const sub = compileWhere(fan.target, fan.where, this.params) ?? 'TRUE';
    const keys = `(SELECT "keys" FROM ${f})`;
    const arm = (key: string) =>
      `SELECT ${r}.* FROM ${table} ${r} WHERE ${[`${r}.${ident(fan.column)} = ${key}`, ...conds].join(' AND ')} ORDER BY ${order(r)} LIMIT ${limit}`;
    const arms: string[] = [];
    for (let k = 1; k <= this.fanOutArms; k++) arms.push(`(${arm(`${keys}[${k}]`)})`);
    arms.push(
      `(SELECT ${x}.* FROM unnest(${keys}[${this.fanOutArms + 1}:]) ${m}("id") CROSS JOIN LATERAL (${arm(`${m}."id"`)}) ${x} ORDER BY ${order(x)} LIMIT ${limit})`,
    );
    const related = `SELECT ARRAY(SELECT "id" FROM ${ident(fan.target.table)} WHERE ${sub}) AS "keys"`;
    return `WITH ${f} AS (${related}) SELECT ${o}.* FROM (${arms.join(' UNION ALL ')}) ${o} ORDER BY ${order(o)}`;
  }

  /** The first row of `spec` matching `where` in its default order, or null. */
  lookup(spec: EntitySpec, where: Where, nodes: readonly FieldNode[]): string {
    const args = checkListArgs(spec, { where, first: 1 });
    const r = this.alias();
    const conds = conditions(spec, args, this.params, false).map((c) => qualify(c, r));
    const sort = spec.fields[args.orderBy];
    return this.rowJson(
      spec,
      r,
      nodes,
      `FROM ${ident(spec.table)} ${r}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${r}.${ident(sort.column)}, ${r}."id" LIMIT 1`,
    );
  }

  root(operation: OperationDefinitionNode): string {
    const query = this.schema.getQueryType();
    if (!query) throw new Unsupported('no query type');
    const pairs: [string, string][] = [];
    for (const [key, fields] of this.collect(query.name, [operation.selectionSet])) {
      const node = fields[0]!;
      const name = node.name.value;
      let value: string;
      if (name === '__typename') value = `${lit(query.name)}::text`;
      else if (LISTS[name]) value = this.page(LISTS[name], this.args(query, node) as ListArgs, fields);
      else if (LOOKUPS[name]) value = this.lookup(LOOKUPS[name], this.args(query, node) as Where, fields);
      else throw new Unsupported(name);
      pairs.push([key, value]);
    }
    if (pairs.length > MAX_KEYS) throw new Unsupported('too many keys');
    return `SELECT ${this.jsonObject(pairs)} AS "data"`;
  }
}

/**
 * A page whose `where` filters through a relation with fanOutOrders (`market_: { … }`) in one of
 * them: the relation's column and target, its filter, and the rest of `where`.
 */
function fanOut(spec: EntitySpec, args: CheckedListArgs): { column: string; target: EntitySpec; where: Where; rest: Where } | undefined {
  const where = args.where as Where | null | undefined;
  if (!where) return undefined;
  for (const [name, f] of Object.entries(spec.fields)) {
    if (!f.relation || f.filterable === false || !f.fanOutOrders?.includes(args.orderBy)) continue;
    const value = where[`${name}_`];
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const { [`${name}_`]: _, ...rest } = where;
    return { column: f.column, target: ENTITY_SPECS[f.relation], where: value as Where, rest: rest as Where };
  }
  return undefined;
}

/**
 * compileWhere and the cursor condition write bare column names ("payment" > $1); inside a
 * statement with several tables they must name the row's table. Bare identifiers are the only
 * double-quoted tokens they emit outside subqueries on other tables, which name their own.
 */
function qualify(cond: string, alias: string): string {
  let out = '';
  let i = 0;
  // Subqueries of relation filters (`IN (SELECT "id" FROM "market" WHERE ...)`) keep their own names.
  while (i < cond.length) {
    const ch = cond[i]!;
    if (ch === "'") {
      const j = cond.indexOf("'", i + 1);
      out += cond.slice(i, j + 1);
      i = j + 1;
    } else if (cond.startsWith('(SELECT ', i)) {
      // Copy the subquery verbatim up to its closing parenthesis.
      let d = 0;
      let j = i;
      for (; j < cond.length; j++) {
        if (cond[j] === '(') d++;
        else if (cond[j] === ')' && --d === 0) break;
      }
      out += cond.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '"') {
      const j = cond.indexOf('"', i + 1);
      out += `${alias}.${cond.slice(i, j + 1)}`;
      i = j + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/**
 * The statement for `operation`, or null when some part of it needs the resolvers (or its
 * variables or arguments are invalid: graphql-js then reports that as usual).
 */
export function compileOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined,
  options: CompileOptions = {},
): CompiledOperation | null {
  if (operation.operation !== 'query') return null;
  try {
    const vars = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
    if (vars.errors) return null;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const c = new Compiler(schema, fragments, vars.coerced, options.fanOutArms ?? FAN_OUT_ARMS);
    const sql = c.root(operation);
    // All parameters, not only the fan-out's: one visible value elsewhere would let Postgres prefer
    // custom plans, and plan the arms again on every execution.
    return { sql: c.fannedOut ? opaqueParams(sql) : sql, params: c.params.values };
  } catch {
    // Unsupported selections, and invalid arguments (a bad cursor, first > 1000): the resolvers'
    // lane answers those, with its own errors.
    return null;
  }
}
