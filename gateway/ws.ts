// graphql-ws on the HTTP server's /graphql path: subscriptions (and queries, if a client sends
// them this way) with the same checks as HTTP: the same validation rules (depth, aliases), the
// same cost budget, the same per-IP rate limit, and errors through the same formatError.
import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import { clientAddress } from './client-ip';
import type { GatewayContext } from './context';
import { GatewayError, RateLimitedError } from './errors';
import { assertCost, assertInputNesting } from './limits';
import type { RateLimiter } from './ratelimit';

export interface WebSocketServerOptions {
  schema: GraphQLSchema;
  validationRules: ValidationRule[];
  maxCost: number;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  rateLimit?: RateLimiter;
  /** A fresh context per operation (a subscription renews its loaders per event), given the client's address. */
  context: (clientIp: string | undefined) => GatewayContext;
  /** As for HTTP (gateway/client-ip.ts); default 0. */
  trustedProxies?: number;
}

/** graphql-js's own errors carry no code; give them Apollo's, as the HTTP path does. */
const withCode = (e: GraphQLError, code: string) =>
  new GraphQLError(e.message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    extensions: { ...e.extensions, code },
  });

export function useWebSocketServer(wss: WebSocketServer, opts: WebSocketServerOptions): { dispose(): Promise<void> } {
  const rules = [...specifiedRules, ...opts.validationRules];
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => opts.formatError(e.toJSON(), e));
  const disposable = useServer<Record<string, unknown> | undefined, Record<string, never>>(
    {
      schema: opts.schema,
      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        const { request } = ctx.extra;
        const clientIp = clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], opts.trustedProxies ?? 0);
        const limited = opts.rateLimit?.take(clientIp);
        if (limited && !limited.ok) return [new RateLimitedError(limited.retryAfterMs)];
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (err) {
          if (err instanceof GraphQLError) return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
          // graphql-js parses by recursion, a call per nesting level: a deep enough document overflows
          // the stack (graphql-ws would close the socket, 4500). Apollo's HTTP lane says the same.
          if (err instanceof RangeError)
            return [new GraphQLError('Syntax Error: the document is nested too deeply', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
          throw err;
        }
        const invalid = validate(opts.schema, document, rules);
        if (invalid.length) {
          return invalid.map((e) => (e instanceof GatewayError ? e : withCode(e, 'GRAPHQL_VALIDATION_FAILED')));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unable to identify operation', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        try {
          assertInputNesting(payload.variables);
        } catch (err) {
          if (err instanceof GatewayError) return [err];
          throw err;
        }
        // Coerced here rather than by graphql-js's subscribe, whose errors would carry no code.
        const coerced = getVariableValues(opts.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
        if (coerced.errors) return coerced.errors.map((e) => (e.originalError instanceof GatewayError ? e : withCode(e, 'BAD_USER_INPUT')));
        try {
          assertCost(opts.schema, document, operation, payload.variables, opts.maxCost);
        } catch (err) {
          if (err instanceof GatewayError) return [err];
          throw err;
        }
        return {
          schema: opts.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: opts.context(clientIp),
        };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        return result.errors ? { ...result, errors: format(result.errors) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      // Never put an internal error's message in a close reason.
      isProd: true,
    },
    wss,
  );
  return {
    async dispose() {
      await disposable.dispose();
    },
  };
}
