// A validation rule that refuses operations nested deeper than a limit, before any SQL runs.
// Introspection (__schema, __type) is not counted: GraphiQL's standard query is deeper than any limit.
import { type ASTVisitor, type FragmentDefinitionNode, Kind, type SelectionSetNode, type ValidationContext } from 'graphql';
import { QueryTooDeepError } from './errors';

export const DEFAULT_MAX_DEPTH = 10;

function depthOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      // A fragment cycle is reported by graphql's own NoFragmentCycles rule; stop here.
      if (seen.has(name) || !fragments[name]) continue;
      max = Math.max(max, depthOf(fragments[name].selectionSet, fragments, new Set([...seen, name])));
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
        const depth = depthOf(node.selectionSet, fragments, new Set());
        if (depth > maxDepth) context.reportError(new QueryTooDeepError(depth, maxDepth, { nodes: [node] }));
      },
    };
  };
}
