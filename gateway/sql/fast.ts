// The HTTP fast lane: a POST of a query that gateway/sql/operation.ts compiles into one statement is
// answered from that statement's JSON text, without Apollo's request pipeline, without graphql-js
// execution and without parsing the JSON that Postgres built only to serialise it again. Parsing
// and validation happen once per query text, compilation once per query text and variables (bounded
// caches); per request remain the limits of the Apollo lane (input nesting, cost) and the statement.
//
// The lane answers only what it is sure of: a valid query operation over the entity API, a plain
// JSON POST, an Accept header it can read. Anything else, and any failure on the way (a limit, an
// invalid variable, a statement error), returns null and the request goes to Apollo as before,
// which answers it (errors included) exactly as without this lane; but a statement that hit the
// timeout is answered QUERY_TIMEOUT at once (Apollo would run the same work twice more).
import {
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { QueryTimeoutError, timeoutResult } from '../errors';
import { assertCost, assertInputNesting, pickOperation } from '../limits';
import { type CompiledOperation, compileOperation } from './operation';

/** Runs one statement and returns its first row's first column as the JSON text Postgres wrote. */
export type JsonTextQuery = (sql: string, params: unknown[]) => Promise<string | null>;

export interface FastRequest {
  headers: { get(name: string): string | undefined };
  /** The parsed JSON body. */
  body: unknown;
}

export interface FastResponse {
  contentType: string;
  body: string;
}

export type FastLane = (req: FastRequest) => Promise<FastResponse | null>;

/** Parsed, validated operations by query text (and operation name); null for those the lane leaves to Apollo. */
const MAX_PLANS = 1000;

interface Plan {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /**
   * Statements compiled for this operation by variables (their JSON): compiling is a pure function of
   * the two and costs up to ~100 µs (the deep filter's fan-out), while clients repeat the same
   * variables (a page polled, a ranking reloaded). Bounded like the plans.
   */
  compiled: Map<string, CompiledOperation | null>;
}

const MAX_COMPILED_PER_PLAN = 256;

const APPLICATION_JSON = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';

/**
 * Apollo's choice of response media type for a single result (Negotiator over application/json and
 * application/graphql-response+json), for the Accept headers this function can read without doubt;
 * undefined for any other (media type parameters, malformed entries, no acceptable type), which
 * Apollo then answers itself.
 */
export function chooseContentType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '') return APPLICATION_JSON;
  // Per candidate: the best (q, specificity, entry order) among the entries that match it.
  const best: { q: number; s: number; o: number }[] = [
    { q: -1, s: -1, o: 0 },
    { q: -1, s: -1, o: 0 },
  ];
  const candidates = [
    ['application', 'json'],
    ['application', 'graphql-response+json'],
  ] as const;
  const entries = accept.split(',');
  for (let o = 0; o < entries.length; o++) {
    const [range, ...params] = entries[o]!.split(';').map((s) => s.trim());
    if (!range) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([01](\.\d{0,3})?)$/i.exec(p);
      if (!m) return undefined; // a parameter other than q: Negotiator matches parameters too
      q = Number(m[1]);
    }
    const slash = range.indexOf('/');
    if (slash <= 0 || slash === range.length - 1) return undefined;
    const type = range.slice(0, slash).toLowerCase();
    const subtype = range.slice(slash + 1).toLowerCase();
    candidates.forEach(([t, st], i) => {
      if ((type !== '*' && type !== t) || (subtype !== '*' && subtype !== st)) return;
      const s = (type === t ? 4 : 0) | (subtype === st ? 2 : 0);
      const b = best[i]!;
      // Negotiator: the most specific matching range decides the quality.
      if (s > b.s || (s === b.s && q > b.q)) best[i] = { q, s, o };
    });
  }
  const [json, gql] = best as [{ q: number; s: number; o: number }, { q: number; s: number; o: number }];
  if (json.q <= 0 && gql.q <= 0) return undefined; // Apollo answers 406
  // Ordered by quality, then specificity, then the entry's position, then the order Apollo lists them (json first).
  if (json.q !== gql.q) return json.q > gql.q ? APPLICATION_JSON : GRAPHQL_RESPONSE_JSON;
  if (json.s !== gql.s) return json.s > gql.s ? APPLICATION_JSON : GRAPHQL_RESPONSE_JSON;
  if (json.o !== gql.o) return json.o < gql.o ? APPLICATION_JSON : GRAPHQL_RESPONSE_JSON;
  return APPLICATION_JSON;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createFastLane(opts: {
  schema: GraphQLSchema;
  validationRules: readonly ValidationRule[];
  maxCost: number;
  query: JsonTextQuery;
}): FastLane {
  const { schema, maxCost, query } = opts;
  const rules = [...specifiedRules, ...opts.validationRules];
  const plans = new Map<string, Plan | null>();

  const planFor = (text: string, operationName: string | undefined): Plan | null => {
    const key = operationName === undefined ? text : `${operationName}\n${text}`;
    let plan = plans.get(key);
    if (plan !== undefined) return plan;
    plan = null;
    try {
      const document = parse(text);
      if (validate(schema, document, rules).length === 0) {
        const operation = pickOperation(document, operationName);
        if (operation && operation.operation === 'query') plan = { document, operation, compiled: new Map() };
      }
    } catch {
      // a syntax error: Apollo reports it
    }
    // Bounded: a client sending ever new texts only makes the lane start over.
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
    return plan;
  };

  return async ({ headers, body }) => {
    if (!isRecord(body) || typeof body.query !== 'string') return null;
    const { variables, operationName } = body;
    if (body.extensions != null) return null; // persisted queries and other extensions: Apollo
    if (variables != null && !isRecord(variables)) return null;
    // graphql-js looks an empty name up (and finds none); pickOperation would take the only one.
    if (operationName != null && (typeof operationName !== 'string' || operationName === '')) return null;
    const contentType = chooseContentType(headers.get('accept'));
    if (!contentType) return null;
    const plan = planFor(body.query, operationName ?? undefined);
    if (!plan) return null;
    const vars = variables ?? undefined;
    try {
      // The Apollo lane's limits (gateway/index.ts costPlugin): over them, Apollo gives the error.
      assertInputNesting(vars);
      assertCost(schema, plan.document, plan.operation, vars, maxCost);
    } catch {
      return null;
    }
    const key = vars === undefined ? '' : JSON.stringify(vars);
    let compiled = plan.compiled.get(key);
    if (compiled === undefined) {
      compiled = compileOperation(schema, plan.document, plan.operation, vars);
      if (plan.compiled.size >= MAX_COMPILED_PER_PLAN) plan.compiled.clear();
      plan.compiled.set(key, compiled);
    }
    if (!compiled) return null;
    let json: string | null;
    try {
      json = await query(compiled.sql, compiled.params);
    } catch (err) {
      if (err instanceof QueryTimeoutError) return { contentType, body: `${JSON.stringify(timeoutResult())}\n` };
      return null;
    }
    if (json === null) return null;
    return { contentType, body: `{"data":${json}}\n` };
  };
}
