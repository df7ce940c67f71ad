// Static limits on an operation, checked before any SQL runs: the number of aliases (a validation
// rule) and a cost (needs the variables, so it is a function that the Apollo plugin and the
// WebSocket server both call). Pure: a document and a schema in, numbers or errors out.
//
// Cost: a field with a selection set costs `multiplier × (1 + cost of its children)`, where the
// multiplier is its `first` argument (the page size, capped at MAX_FIRST because more is refused
// anyway) or 1. Leaves are free (they come with the row). So `jobs(first: 100) { items { market { id } } }`
// costs 100 × (1 + 1 × (1 + 1)) = 300, and a list nested in a list multiplies.
//
// Some fields do work that does not follow the rows they return: they replay a whole history
// (HEAVY_FIELDS). Each adds its weight on top, once per use in the operation, not times its own
// `first` (REPUTATION scores every provider whatever the page) nor times the list whose items it
// sits on (verify batches a page of epochs: one replay per subnet per request), but times the lists
// above that one (subnets(first: 4) { epochs { items { verify } } } replays four subnets).
import {
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  valueFromASTUntyped,
} from 'graphql';
import { BadUserInputError, OperationNotSupportedError, QueryTooComplexError, TooManyAliasesError } from './errors';
import { MAX_FIRST } from './sql/list';

export const DEFAULT_MAX_ALIASES = 30;
export const DEFAULT_MAX_COST = 50_000;

/**
 * The weight of one pass over a whole indexed history, as 20 pages of 1000 rows cost: the default
 * budget admits two such passes in one operation, and no page size makes a third one cheap.
 */
export const HISTORY_PASS_COST = 20_000;

/**
 * `Type.field` → its weight from its arguments (`arg` gives a value from the operation, or the
 * field's default). What each replays:
 * - SubnetEpoch.verify: the subnet's registry events up to the epoch, through Yuma epoch by epoch;
 * - providerRankings(by: REPUTATION): every provider's job events, through the model (one pass), and
 *   for a bounded window the page's events again as of the window start, for the change (a second;
 *   priced whether or not change is asked, which the static cost does not follow).
 */
export const HEAVY_FIELDS: Readonly<Record<string, (arg: (name: string) => unknown) => number>> = {
  'SubnetEpoch.verify': () => HISTORY_PASS_COST,
  'Query.providerRankings': (arg) => {
    const by = arg('by');
    if (by !== undefined && by !== 'REPUTATION') return 0;
    return arg('window') === 'ALL' ? HISTORY_PASS_COST : 2 * HISTORY_PASS_COST;
  },
};

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const out = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d);
  return out;
}

/**
 * Aliased fields in an operation, fragments counted once per use. Fragment results are memoised:
 * a chain of fragments that each spread the previous one twice would otherwise take 2^n steps.
 */
export function countAliases(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const memo = new Map<string, number>();
  const walk = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let n = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) n += (sel.alias ? 1 : 0) + walk(sel.selectionSet, seen);
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += walk(sel.selectionSet, seen);
      else n += spread(sel.name.value, seen);
    }
    return n;
  };
  const spread = (name: string, seen: Set<string>): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const def = fragments.get(name);
    // A cycle is reported by graphql's own NoFragmentCycles rule.
    if (!def || seen.has(name)) return 0;
    const n = walk(def.selectionSet, new Set([...seen, name]));
    memo.set(name, n);
    return n;
  };
  return walk(operation.selectionSet, new Set());
}

/** `validationRules` entry: TOO_MANY_ALIASES when an operation uses more than `maxAliases`. */
export function createAliasLimitRule(maxAliases = DEFAULT_MAX_ALIASES) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const n = countAliases(node, fragments);
        if (n > maxAliases) context.reportError(new TooManyAliasesError(n, maxAliases, { nodes: [node] }));
      },
    };
  };
}

/** The operation that `operationName` picks, as graphql-js picks it; undefined if none or ambiguous. */
export function pickOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

/**
 * A selection's cost in three parts: `own`, the fields' page-size-multiplied cost; `bare`, heavy
 * weights with no list between them and this selection; `inner`, heavy weights already under one
 * (already multiplied by the lists above their innermost one).
 */
interface Cost {
  own: number;
  bare: number;
  inner: number;
}

/** The static cost of one operation (see the top of this file). Unknown fields cost nothing: validation reports them. */
export function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): number {
  const fragments = fragmentsOf(document);
  const vars = variables ?? {};
  const defaults = new Map<string, unknown>();
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue) defaults.set(v.variable.name.value, valueFromASTUntyped(v.defaultValue));
  }
  const memo = new Map<string, Cost>();

  type Args = readonly { name: { value: string }; value: Parameters<typeof valueFromASTUntyped>[0] }[] | undefined;
  const argValue = (args: Args, name: string, fieldDefault: unknown): unknown => {
    const arg = args?.find((a) => a.name.value === name);
    if (!arg) return fieldDefault;
    return arg.value.kind === Kind.VARIABLE
      ? (vars[arg.value.name.value] ?? defaults.get(arg.value.name.value) ?? fieldDefault)
      : valueFromASTUntyped(arg.value);
  };

  const multiplier = (args: Args, fieldDefault: unknown): number => {
    const value = argValue(args, 'first', fieldDefault);
    // Out-of-range values are refused later with BAD_USER_INPUT; for the cost, bound them.
    return typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value), 0), MAX_FIRST) : 1;
  };

  const add = (a: Cost, b: Cost) => {
    a.own += b.own;
    a.bare += b.bare;
    a.inner += b.inner;
  };

  const walk = (set: SelectionSetNode | undefined, parent: GraphQLCompositeType | undefined, seen: Set<string>): Cost => {
    const total: Cost = { own: 0, bare: 0, inner: 0 };
    if (!set || !parent) return total;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection
        const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[sel.name.value] : undefined;
        if (!def) continue;
        const heavy = HEAVY_FIELDS[`${parent.name}.${def.name}`];
        const weight = heavy ? heavy((name) => argValue(sel.arguments, name, def.args.find((a) => a.name === name)?.defaultValue)) : 0;
        total.bare += weight;
        if (!sel.selectionSet) continue; // leaves come with the row
        const named = getNamedType(def.type);
        const firstArg = def.args.find((a) => a.name === 'first');
        const m = multiplier(sel.arguments, firstArg?.defaultValue);
        const child = walk(sel.selectionSet, isCompositeType(named) ? named : undefined, seen);
        total.own += m * (1 + child.own);
        if (firstArg) {
          // A list: heavy fields on its items count once (they batch the page), those deeper once per item.
          total.inner += m * child.inner + child.bare;
        } else {
          total.bare += child.bare;
          total.inner += child.inner;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        add(total, walk(sel.selectionSet, t && isCompositeType(t) ? t : undefined, seen));
      } else {
        const name = sel.name.value;
        let n = memo.get(name);
        if (n === undefined) {
          const def = fragments.get(name);
          if (!def || seen.has(name)) continue;
          const t = schema.getType(def.typeCondition.name.value);
          n = walk(def.selectionSet, t && isCompositeType(t) ? t : undefined, new Set([...seen, name]));
          memo.set(name, n);
        }
        add(total, n);
      }
    }
    return total;
  };

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const cost = walk(operation.selectionSet, root ?? undefined, new Set());
  return cost.own + cost.bare + cost.inner;
}

/** Subscriptions are served by graphql-ws; over HTTP Apollo would run one as a query. */
export function assertNotSubscription(operation: OperationDefinitionNode): void {
  if (operation.operation === 'subscription') {
    throw new OperationNotSupportedError('subscriptions are served over WebSocket (graphql-ws) on this path, not over HTTP', {
      nodes: [operation],
    });
  }
}

/** Throws QUERY_TOO_COMPLEX when the operation costs more than `maxCost`. */
export function assertCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  maxCost: number,
): void {
  const cost = computeCost(schema, document, operation, variables);
  if (cost > maxCost) throw new QueryTooComplexError(cost, maxCost, { nodes: [operation] });
}

export const MAX_INPUT_NESTING = 32;

/**
 * Refuses variables nested deeper than `maxNesting` objects and lists (an `and` inside an `and`
 * …): graphql-js coerces them, and the where compiler reads them, by recursion, and a few
 * thousand levels overflow the stack. Walks with an explicit stack for the same reason.
 */
export function assertInputNesting(variables: unknown, maxNesting = MAX_INPUT_NESTING): void {
  const stack: [unknown, number][] = [[variables, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxNesting) {
      // http.status: raised before execution, where Apollo would otherwise answer 500.
      throw new BadUserInputError(`variables are nested deeper than ${maxNesting} levels`, { extensions: { http: { status: 400 } } });
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** `validationRules` entry: the same bound on literal arguments in the document. */
export function createInputNestingRule(maxNesting = MAX_INPUT_NESTING) {
  return (context: ValidationContext): ASTVisitor => {
    let depth = 0;
    let reported = false;
    const enter = (node: ASTNode) => {
      depth++;
      if (depth > maxNesting && !reported) {
        reported = true;
        context.reportError(new BadUserInputError(`argument values are nested deeper than ${maxNesting} levels`, { nodes: [node] }));
      }
    };
    const leave = () => {
      depth--;
    };
    return { ObjectValue: { enter, leave }, ListValue: { enter, leave } };
  };
}
