// The fast lane as an Apollo plugin: after validation, the limits and the operation's resolution,
// an operation that gateway/sql/operation.ts can compile is answered by that one statement and
// graphql-js execution is skipped; any other (and any whose statement fails) runs the resolvers.
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { GatewayContext } from '../context';
import { QueryTimeoutError, timeoutResult } from '../errors';
import type { QueryFn } from '../store';
import { compileOperation } from './operation';

export function createOperationPlugin(query: QueryFn): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, operation, request }) {
          // No operation by that name (or several without one): graphql-js reports it.
          if (!operation) return null;
          const compiled = compileOperation(schema, document, operation, request.variables);
          if (!compiled) return null;
          let rows: Record<string, unknown>[];
          try {
            rows = await query(compiled.sql, compiled.params);
          } catch (err) {
            const head = { status: undefined, headers: new HeaderMap() };
            // The resolvers would run the same work again: a timeout is the answer.
            if (err instanceof QueryTimeoutError) return { http: head, body: { kind: 'single', singleResult: timeoutResult() } };
            // Any other failure: the resolvers' lane answers with its own errors.
            return null;
          }
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { data: rows[0]?.data as Record<string, unknown> } },
          };
        },
      };
    },
  };
}
