import type { GraphQLObjectType } from 'graphql';
import * as gateway from './index';

it('exports exactly its public surface', () => {
  expect(Object.keys(gateway).sort()).toEqual(
    [
      'BadUserInputError',
      'ConfigError',
      'DEFAULT_FIRST',
      'ENTITY_SPECS',
      'ErrorCode',
      'GatewayError',
      'InferenceUnavailableError',
      'MAX_FIRST',
      'QueryTimeoutError',
      'QueryTooDeepError',
      'SqlParams',
      'buildGatewaySchema',
      'compileWhere',
      'createGateway',
      'createInferenceClient',
      'loadConfig',
    ].sort(),
  );
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
      'neurons',
      'provider',
      'providers',
      'stakeEvents',
      'stakePositions',
      'subnet',
      'subnets',
      // the protocol's tables (gateway/entities.ts) and queries (gateway/protocol.resolver.ts)
      'subnetEpochs',
      'accounts',
      'chainEvents',
      'marketEpochs',
      'marketStats',
      'neuronEpochs',
      'providerEpochs',
      'tokenSupplyDays',
      'weights',
      'account',
      'epoch',
    ].sort(),
  );
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
