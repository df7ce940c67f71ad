// The gateway's public surface: build the schema, create a gateway over a database, serve it.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { type FormattedExecutionResult, type GraphQLSchema, parse, validate } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { Hex } from 'viem';
import { WebSocketServer } from 'ws';
import type { Deployment } from '../chain';
import { createDataSource } from '../schema';
import { createChainHeadClient } from './chain';
import { createChangeFeed } from './changes';
import { createContext, type GatewayContext, type GatewayServices, readIndexedHeights } from './context';
import { createDepthLimitRule, DEFAULT_MAX_DEPTH } from './depth';
import { ENTITY_SPECS } from './entities';
import { createFormatError } from './errors';
import { createHttpServer } from './http';
import { createInferenceClient } from './inference';
import {
  assertCost,
  assertInputNesting,
  assertNotSubscription,
  createAliasLimitRule,
  createInputNestingRule,
  DEFAULT_MAX_ALIASES,
  DEFAULT_MAX_COST,
  pickOperation,
} from './limits';
import { createChangeListener } from './listener';
import { createMutations, type MutationRateLimits, MutationResolver } from './mutations';
import { createRateLimiter } from './ratelimit';
import { RESOLVERS } from './resolvers';
import { BigIntScalar, DateTimeScalar } from './scalars';
import { createFastLane } from './sql/fast';
import { type CompiledOperation, compileOperation } from './sql/operation';
import { createOperationPlugin } from './sql/plugin';
import { createPoolQueries } from './sql/pool';
import { useWebSocketServer } from './ws';

export { ConfigError, type GatewayConfig, loadConfig } from './config';
export type { GatewayContext } from './context';
export { ENTITY_SPECS, type EntitySpec, type FieldSpec } from './entities';
export {
  BadUserInputError,
  ErrorCode,
  GatewayError,
  InferenceUnavailableError,
  MutationError,
  QueryTimeoutError,
  QueryTooComplexError,
  QueryTooDeepError,
  RateLimitedError,
  TooManyAliasesError,
} from './errors';
export { createInferenceClient, type InferenceClient, type ProviderScore } from './inference';
export { computeCost } from './limits';
export { DEVNET_RELAYER_KEY } from './mutations';
export { compileWhere, type Where } from './sql/filter';
export { DEFAULT_FIRST, MAX_FIRST } from './sql/list';
export { SqlParams } from './sql/params';

let schemaPromise: Promise<GraphQLSchema> | undefined;

/** The GraphQL schema (built once per process: type-graphql's metadata is global anyway). */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  schemaPromise ??= buildSchema({
    resolvers: [...RESOLVERS, MutationResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    // Our subscriptions bring their own `subscribe` (a per-gateway change feed from the context);
    // type-graphql still insists on a PubSub, which is never used.
    pubSub: {
      publish() {
        throw new Error('unused');
      },
      subscribe() {
        throw new Error('unused');
      },
    },
  }).then((schema) => {
    // Guards that the scalars in use are ours (a second BigInt scalar would break serialisation).
    if (schema.getType('BigInt') !== BigIntScalar) throw new Error('BigInt scalar was replaced');
    return schema;
  });
  return schemaPromise;
}

/**
 * The one statement (`{ sql, params }`) that the gateway runs for `query` with `variables`: what its
 * HTTP fast lane and its Apollo plugin execute (gateway/sql/operation.ts), for a schema from
 * buildGatewaySchema(). Null for an invalid query and for one the resolvers answer. Benchmarks run
 * it straight through pg (bench/gateway.ts).
 */
export function compileQuery(
  schema: GraphQLSchema,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): CompiledOperation | null {
  const document = parse(query);
  if (validate(schema, document).length > 0) return null;
  const operation = pickOperation(document, operationName);
  return operation ? compileOperation(schema, document, operation, variables) : null;
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
  /** Most aliased fields in one operation; default 30. */
  maxAliases?: number;
  /** Highest static cost of one operation (gateway/limits.ts); default 50000. */
  maxCost?: number;
  /** Per-IP token bucket on HTTP requests and WebSocket subscribe messages; off unless given. */
  rateLimit?: { perSecond: number; burst: number };
  /**
   * Proxies of ours in front of the gateway (a load balancer): the client of the per-IP limits is then
   * the X-Forwarded-For entry that many places from the right (gateway/client-ip.ts); default 0, the TCP peer.
   */
  trustedProxies?: number;
  /** The protocol's contracts on rpcUrl's chain: enables the typed-data queries of the signed mutations. */
  deployment?: Deployment;
  /** Key of the relayer that sends (and pays for) signed mutations; without it they answer MUTATIONS_UNAVAILABLE. */
  relayerKey?: Hex;
  /** Per-address and per-IP limits of mutations; gateway/mutations/service.ts has the defaults. */
  mutationRateLimits?: MutationRateLimits;
  /** Lines about the change listener (disconnects, reconnects); default console.warn. */
  log?: (line: string) => void;
  /** Where errors that reach clients as INTERNAL_SERVER_ERROR are reported; default console.error. */
  onInternalError?: (err: unknown) => void;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
  /** A fresh per-request context (loaders cache for one request only); clientIp feeds the mutations' per-IP limit. */
  createContext(clientIp?: string): GatewayContext;
  /** Runs one operation in-process with a fresh context. */
  execute(query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult>;
  /** Opens the database pool and checks it with one query; rejects with the driver's error. */
  connect(): Promise<void>;
  /**
   * Serves http://host:port/graphql (and ws:// on the same path for subscriptions) and starts the
   * LISTEN connection that feeds subscriptions; rejects with the listen error (EADDRINUSE, ...).
   */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Resolves once the change listener is LISTENing (after listen()); notifications before are not seen. */
  changesReady(): Promise<void>;
  /** Live subscriptions on this gateway's change feed, and whether its LISTEN connection is up. */
  stats(): { subscriptions: number; listening: boolean };
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

  // One feed and one LISTEN connection per gateway; every subscription reads the feed.
  const log = opts.log ?? ((line: string) => console.warn(`gateway: ${line}`));
  const changes = createChangeFeed({ onDrop: () => log('a slow subscription lost a change event (queue full)') });
  const inference = opts.inferenceUrl ? createInferenceClient({ url: opts.inferenceUrl }) : undefined;
  let health: { at: number; value: Promise<string | null> } | undefined;
  const pool = createPoolQueries(dataSource);
  const services: GatewayServices = {
    query: async (sql, params) => {
      if (!dataSource.isInitialized) await connect();
      return pool.query(sql, params);
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
    changes,
  };
  if (opts.deployment) {
    if (!opts.rpcUrl) throw new Error('createGateway: a deployment needs rpcUrl');
    services.mutations = createMutations({
      deployment: opts.deployment,
      rpcUrl: opts.rpcUrl,
      relayerKey: opts.relayerKey,
      query: services.query,
      rateLimits: opts.mutationRateLimits,
    });
  }
  const listenUrl = opts.databaseUrl ?? (dataSource.options as { url?: string }).url;
  const listener = listenUrl
    ? createChangeListener({
        connectionString: listenUrl,
        feed: changes,
        indexedHeight: async () => (await readIndexedHeights(services.query)).block,
        entities: Object.keys(ENTITY_SPECS),
        log,
      })
    : undefined;
  const rateLimit = opts.rateLimit ? createRateLimiter(opts.rateLimit) : undefined;
  const maxCost = opts.maxCost ?? DEFAULT_MAX_COST;
  const validationRules = [
    createDepthLimitRule(opts.maxDepth ?? DEFAULT_MAX_DEPTH),
    createAliasLimitRule(opts.maxAliases ?? DEFAULT_MAX_ALIASES),
    createInputNestingRule(),
  ];
  // The cost and the variables' nesting need the variables (`first: $n`), so they are checked once the
  // operation is resolved (before graphql-js coerces the variables), not as validation rules.
  const costPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          assertInputNesting(request.variables);
          if (operation) assertNotSubscription(operation);
          if (operation) assertCost(schema, document, operation, request.variables, maxCost);
        },
      };
    },
  };
  const formatError = createFormatError({
    onInternalError: opts.onInternalError ?? ((err) => console.error('gateway: internal error:', err)),
  });

  const schema = await buildGatewaySchema();
  const makeContext = (clientIp?: string) => createContext(services, clientIp);
  // Declared before Apollo so its drain plugin can close it: running requests finish, idle
  // keep-alive sockets close, and stop() resolves within the grace period.
  let server: ApolloServer<GatewayContext>;
  // Plain JSON POSTs of queries over the entity API skip Apollo (gateway/sql/fast.ts); the same
  // operations in-process, and every other request, take the Apollo lane below.
  const fast = createFastLane({
    schema,
    validationRules,
    maxCost,
    query: async (sql, params) => {
      if (!dataSource.isInitialized) await connect();
      return pool.jsonText(sql, params);
    },
  });
  const httpServer = createHttpServer<GatewayContext>(
    { executeHTTPGraphQLRequest: (req) => server.executeHTTPGraphQLRequest(req) },
    async (clientIp) => makeContext(clientIp),
    { rateLimit, fast, trustedProxies: opts.trustedProxies },
  );
  // noServer: attached to the http server's upgrades by hand, because a WebSocketServer given the
  // server re-emits its listen errors (EADDRINUSE) as its own, which graphql-ws then logs.
  const wss = new WebSocketServer({ noServer: true });
  httpServer.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const wsServer = useWebSocketServer(wss, {
    schema,
    validationRules,
    maxCost,
    formatError,
    rateLimit,
    trustedProxies: opts.trustedProxies,
    context: makeContext,
  });
  server = new ApolloServer<GatewayContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    validationRules,
    // The process owner (main.ts) handles signals; a library must not install handlers.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 2000 }),
      costPlugin,
      // After the limits: operations over the entity API run as one SQL statement (gateway/sql/operation.ts).
      createOperationPlugin(services.query),
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
      await listener?.start();
      const actual = (http.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shownHost}:${actual}/graphql` };
    },
    stats: () => ({ subscriptions: changes.subscribers(), listening: listener?.listening ?? false }),
    changesReady: () => listener?.ready() ?? Promise.reject(new Error('no database URL to LISTEN on')),
    async close() {
      // WebSocket clients first: the drain below waits for open connections, and sockets would hold it.
      await wsServer.dispose();
      await listener?.close();
      await server.stop().catch(() => undefined);
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (ownsDataSource && dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
