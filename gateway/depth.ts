// A validation rule that refuses operations nested deeper than a limit, before any SQL runs.
// Introspection (__schema, __type) is not counted: GraphiQL's standard query is deeper than any limit.
import { type ASTVisitor, type FragmentDefinitionNode, Kind, type SelectionSetNode, type ValidationContext } from 'graphql';
import { QueryTooDeepError } from './errors';

export const DEFAULT_MAX_DEPTH = 10;

// `memo` holds each fragment's depth: without it, a chain of fragments that each spread the
// previous one twice takes 2^n steps (a cheap way to stall the server).
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
  memo: Map<string, number>,
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen, memo) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen, memo));
    } else {
      const name = sel.name.value;
      let d = memo.get(name);
      if (d === undefined) {
        // A fragment cycle is reported by graphql's own NoFragmentCycles rule; stop here.
        if (seen.has(name) || !fragments[name]) continue;
        d = depthOf(fragments[name].selectionSet, fragments, new Set([...seen, name]), memo);
        memo.set(name, d);
      }
      max = Math.max(max, d);
    }
  }
  return max;
}

/** `validationRules` entry: QUERY_TOO_DEEP when a field is nested more than `maxDepth` levels. */
export function createDepthLimitRule(maxDepth = DEFAULT_MAX_DEPTH) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Set(), new Map());
        if (depth > maxDepth) context.reportError(new QueryTooDeepError(depth, maxDepth, { nodes: [node] }));
      },
    };
  };
}
