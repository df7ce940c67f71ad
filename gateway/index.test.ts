import type { GraphQLInputObjectType, GraphQLObjectType } from 'graphql';
import * as gateway from './index';

it('exports exactly its public surface', () => {
  expect(Object.keys(gateway).sort()).toEqual(
    [
      'BadUserInputError',
      'ConfigError',
      'DEFAULT_FIRST',
      'DEVNET_RELAYER_KEY',
      'ENTITY_SPECS',
      'ErrorCode',
      'GatewayError',
      'InferenceUnavailableError',
      'MAX_FIRST',
      'MutationError',
      'QueryTimeoutError',
      'QueryTooComplexError',
      'QueryTooDeepError',
      'RateLimitedError',
      'TooManyAliasesError',
      'computeCost',
      'SqlParams',
      'buildGatewaySchema',
      'compileQuery',
      'compileWhere',
      'createGateway',
      'createInferenceClient',
      'loadConfig',
    ].sort(),
  );
});

it('compileQuery gives the one statement an entity query runs, and null for what it cannot compile', async () => {
  const schema = await gateway.buildGatewaySchema();
  const compiled = gateway.compileQuery(schema, 'query($n: Int!) { jobs(first: $n) { items { jobId } } }', { n: 3 });
  expect(compiled?.sql).toMatch(/"job"/);
  // The page size from the variable is written into the text (a literal plans once).
  expect(compiled?.sql).toMatch(/FROM "job" "t0" .*LIMIT 3\)/);
  expect(compiled?.params).toEqual([]);
  // Invalid against the schema, and a mutation: nothing to compile.
  expect(gateway.compileQuery(schema, '{ jobs { nope } }')).toBeNull();
  expect(gateway.compileQuery(schema, 'mutation { x }')).toBeNull();
});

it('has the root fields and per-entity naming every later feature builds on', async () => {
  const schema = await gateway.buildGatewaySchema();
  const query = schema.getQueryType()?.getFields() ?? {};
  expect(Object.keys(query).sort()).toEqual(
    [
      '_meta',
      'job',
      'jobEvents',
      'jobs',
      'market',
      'markets',
      'neuron',
      'neuronByHotkey',
      'neurons',
      'provider',
      'providers',
      'stakeEvents',
      'stakePositions',
      'subnet',
      'subnetEpochs',
      'subnets',
      'accounts',
      'chainEvents',
      'marketEpochs',
      'marketStats',
      'neuronEpochs',
      'providerEpochs',
      'tokenSupplyDays',
      'tokenSupplyEpochs',
      'weights',
      // the protocol queries (gateway/protocol.resolver.ts, rankings.resolver.ts, verify.resolver.ts)
      'account',
      'epoch',
      'token',
      'subnetRankings',
      'neuronRankings',
      'providerRankings',
      'marketRankings',
      // what to sign for each signed mutation (gateway/mutations)
      'registerProviderTypedData',
      'updateProviderTypedData',
      'submitJobTypedData',
      'cancelJobTypedData',
      'claimJobTypedData',
      'submitJobResultTypedData',
      'approveJobTypedData',
      'rejectJobTypedData',
      'addStakeTypedData',
      'removeStakeTypedData',
      'setWeightsTypedData',
      'approveTokenTypedData',
    ].sort(),
  );
  const mutation = schema.getMutationType()?.getFields() ?? {};
  expect(
    Object.fromEntries(
      Object.values(mutation).map((f) => [f.name, `(${f.args.map((a) => `${a.name}: ${a.type}`).join(', ')}): ${f.type}`]),
    ),
  ).toEqual({
    ...Object.fromEntries(
      [
        'registerProvider',
        'updateProvider',
        'submitJob',
        'cancelJob',
        'claimJob',
        'submitJobResult',
        'approveJob',
        'rejectJob',
        'addStake',
        'removeStake',
        'setWeights',
      ].map((name) => [name, '(request: ForwardRequestInput!, signature: String!, wait: Boolean!): RelayResult!']),
    ),
    approveToken: '(permit: PermitInput!, signature: String!, wait: Boolean!): RelayResult!',
  });
  const subscription = schema.getSubscriptionType()?.getFields() ?? {};
  expect(
    Object.fromEntries(
      Object.values(subscription).map((f) => [f.name, `(${f.args.map((a) => `${a.name}: ${a.type}`).join(', ')}): ${f.type}`]),
    ),
  ).toEqual({
    newBlock: '(): NewBlock!',
    jobUpdated: '(where: JobWhere): Job!',
    providerUpdated: '(address: String!): Provider!',
    epochFinalized: '(netuid: Int): SubnetEpoch!',
  });
  expect(String((schema.getType('JobWhere') as GraphQLInputObjectType).getFields().market_.type)).toBe('MarketWhere');
  expect(query.jobs.args.map((a) => `${a.name}: ${a.type}`)).toEqual([
    'where: JobWhere',
    'orderBy: JobOrderBy!',
    'orderDirection: OrderDirection!',
    'first: Int!',
    'after: String',
  ]);
  expect(String(query.jobs.type)).toBe('JobPage!');
  expect(String((schema.getType('Job') as GraphQLObjectType).getFields().payment.type)).toBe('BigInt!');
  expect(Object.keys((schema.getType('Provider') as GraphQLObjectType).getFields())).toEqual(
    expect.arrayContaining(['score', 'scoreFeatures', 'jobs']),
  );
});
