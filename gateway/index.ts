// The gateway's public surface: build the schema, create a gateway over a database, serve it.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../schema';
import { createChainHeadClient } from './chain';
import { createContext, type GatewayContext, type GatewayServices } from './context';
import { createDepthLimitRule, DEFAULT_MAX_DEPTH } from './depth';
import { createFormatError } from './errors';
import { createHttpServer } from './http';
import { createInferenceClient } from './inference';
import { RESOLVERS } from './resolvers';
import { BigIntScalar, DateTimeScalar } from './scalars';

export { ConfigError, type GatewayConfig, loadConfig } from './config';
export type { GatewayContext } from './context';
export { ENTITY_SPECS, type EntitySpec, type FieldSpec } from './entities';
export {
  BadUserInputError,
  ErrorCode,
  GatewayError,
  InferenceUnavailableError,
  QueryTimeoutError,
  QueryTooDeepError,
} from './errors';
export { createInferenceClient, type InferenceClient, type ProviderScore } from './inference';
export { compileWhere, type Where } from './sql/filter';
export { DEFAULT_FIRST, MAX_FIRST } from './sql/list';
export { SqlParams } from './sql/params';

let schemaPromise: Promise<GraphQLSchema> | undefined;

/** The GraphQL schema (built once per process: type-graphql's metadata is global anyway). */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  schemaPromise ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  }).then((schema) => {
    // Guards that the scalars in use are ours (a second BigInt scalar would break serialisation).
    if (schema.getType('BigInt') !== BigIntScalar) throw new Error('BigInt scalar was replaced');
    return schema;
  });
  return schemaPromise;
}

export interface GatewayOptions {
  /** A DataSource owned by the caller (left open by close()); or give databaseUrl. */
  dataSource?: DataSource;
  /** Postgres URL: the gateway makes and owns its pool, with statementTimeoutMs on it. */
  databaseUrl?: string;
  /** EVM JSON-RPC endpoint, for `_meta.chainHead`. */
  rpcUrl?: string;
  /** Base URL of the inference service, for Provider.score and `_meta.executionProvider`. */
  inferenceUrl?: string;
  /** Postgres statement_timeout of the gateway's own pool; default 5000 ms. */
  statementTimeoutMs?: number;
  poolSize?: number;
  /** Deepest field nesting accepted; default 10. */
  maxDepth?: number;
  /** Where errors that reach clients as INTERNAL_SERVER_ERROR are reported; default console.error. */
  onInternalError?: (err: unknown) => void;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
  /** A fresh per-request context (loaders cache for one request only). */
  createContext(): GatewayContext;
  /** Runs one operation in-process with a fresh context. */
  execute(query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult>;
  /** Opens the database pool and checks it with one query; rejects with the driver's error. */
  connect(): Promise<void>;
  /** Serves http://host:port/graphql; rejects with the listen error (EADDRINUSE, ...). */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops accepting requests, lets running ones finish (2 s at most) and closes the pool it owns. */
  close(): Promise<void>;
}

/**
 * @example
 * const gateway = await createGateway({ databaseUrl: 'postgres://…', rpcUrl: 'http://127.0.0.1:8545' });
 * const { url } = await gateway.listen(4000, '127.0.0.1');
 */
export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  if (!opts.dataSource === !opts.databaseUrl) throw new Error('createGateway: give exactly one of dataSource and databaseUrl');
  const ownsDataSource = !opts.dataSource;
  const dataSource =
    opts.dataSource ??
    createDataSource({ url: opts.databaseUrl as string, statementTimeoutMs: opts.statementTimeoutMs ?? 5000, poolSize: opts.poolSize });

  let connecting: Promise<void> | undefined;
  const connect = () =>
    (connecting ??= (async () => {
      if (!dataSource.isInitialized) await dataSource.initialize();
      await dataSource.query('SELECT 1');
    })().catch((err) => {
      connecting = undefined; // a later call may succeed once the database is up
      throw err;
    }));

  const inference = opts.inferenceUrl ? createInferenceClient({ url: opts.inferenceUrl }) : undefined;
  let health: { at: number; value: Promise<string | null> } | undefined;
  const services: GatewayServices = {
    query: async (sql, params) => {
      if (!dataSource.isInitialized) await connect();
      return dataSource.query(sql, params);
    },
    chain: opts.rpcUrl ? createChainHeadClient({ url: opts.rpcUrl }) : undefined,
    inference,
    executionProvider() {
      if (!inference) return Promise.resolve(null);
      if (!health || Date.now() - health.at > 1000) {
        health = {
          at: Date.now(),
          value: inference.health().then(
            (h) => h.executionProvider,
            () => null,
          ),
        };
      }
      return health.value;
    },
  };

  const schema = await buildGatewaySchema();
  const makeContext = () => createContext(services);
  // Declared before Apollo so its drain plugin can close it: running requests finish, idle
  // keep-alive sockets close, and stop() resolves within the grace period.
  let server: ApolloServer<GatewayContext>;
  const httpServer = createHttpServer({ executeHTTPGraphQLRequest: (req) => server.executeHTTPGraphQLRequest(req) }, async () =>
    makeContext(),
  );
  server = new ApolloServer<GatewayContext>({
    schema,
    formatError: createFormatError({ onInternalError: opts.onInternalError ?? ((err) => console.error('gateway: internal error:', err)) }),
    includeStacktraceInErrorResponses: false,
    validationRules: [createDepthLimitRule(opts.maxDepth ?? DEFAULT_MAX_DEPTH)],
    // The process owner (main.ts) handles signals; a library must not install handlers.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 2000 }),
    ],
  });

  return {
    server,
    schema,
    createContext: makeContext,
    async execute(query, variables) {
      const res = await server.executeOperation({ query, variables }, { contextValue: makeContext() });
      if (res.body.kind !== 'single') throw new Error('unexpected incremental response');
      return res.body.singleResult as FormattedExecutionResult;
    },
    connect,
    async listen(port, host = '127.0.0.1') {
      const http = httpServer;
      await server.start();
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const actual = (http.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shownHost}:${actual}/graphql` };
    },
    async close() {
      await server.stop().catch(() => undefined);
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (ownsDataSource && dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
