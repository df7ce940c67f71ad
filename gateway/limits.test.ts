import { type GraphQLSchema, parse } from 'graphql';
import { buildGatewaySchema } from './index';
import { computeCost, HISTORY_PASS_COST, pickOperation } from './limits';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const cost = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return computeCost(schema, document, pickOperation(document)!, variables);
};
const W = HISTORY_PASS_COST;

describe('computeCost', () => {
  it('multiplies pages and leaves leaves free', () => {
    // 100 × (1 + 1 × (1 + 1))
    expect(cost('{ jobs(first: 100) { items { id market { id } } } }')).toBe(300);
  });

  it('adds a verify once per use, whatever the page of epochs it sits on', () => {
    // epoch: 1 × (1 + verify 1 × (1 + mismatches 1)) = 3, plus one pass
    expect(cost('{ epoch(netuid: 1, number: 1) { verify { matches mismatches { field } } } }')).toBe(3 + W);
    expect(cost('{ a: epoch(netuid: 1, number: 1) { verify { matches } } b: epoch(netuid: 1, number: 2) { verify { matches } } }')).toBe(
      4 + 2 * W,
    );
    // The page batches its epochs into one replay per subnet: 1000 × (1 + 1 × (1 + 1)) + one pass.
    expect(cost('{ subnetEpochs(first: 1000) { items { verify { matches } } } }')).toBe(3000 + W);
    // Under a page of subnets, one per subnet: 4 × (1 + 1 × (1 + 10 × (1 + 1 × (1 + 1)))) + 4 passes.
    expect(cost('{ subnets(first: 4) { items { epochs(first: 10) { items { verify { matches } } } } } }')).toBe(4 * (2 + 30) + 4 * W);
    // A fragment counts once per use.
    expect(
      cost(
        '{ a: epoch(netuid: 1, number: 1) { ...V } b: epoch(netuid: 1, number: 2) { ...V } } fragment V on SubnetEpoch { verify { matches } }',
      ),
    ).toBe(4 + 2 * W);
  });

  it('adds REPUTATION one pass, and a second for the change over a bounded window, whatever its first', () => {
    // 1000 × (1 + 1) for the page, as any list
    expect(cost('{ providerRankings(by: REPUTATION, window: ALL, first: 1000) { value provider { id } } }')).toBe(2000 + W);
    expect(cost('{ providerRankings(by: REPUTATION, window: ALL, first: 1) { value } }')).toBe(1 + W);
    // window defaults to DAY
    expect(cost('{ providerRankings(by: REPUTATION, first: 1) { value } }')).toBe(1 + 2 * W);
    expect(cost('{ providerRankings(by: EARNINGS, first: 1) { value } }')).toBe(1);
    const q = 'query($by: ProviderRankingBy!, $w: RankingWindow) { providerRankings(by: $by, window: $w, first: 1) { value } }';
    expect(cost(q, { by: 'SUCCESS_RATE', w: 'WEEK' })).toBe(1);
    expect(cost(q, { by: 'REPUTATION', w: 'WEEK' })).toBe(1 + 2 * W);
    expect(cost(q, { by: 'REPUTATION', w: 'ALL' })).toBe(1 + W);
    expect(cost(q, { by: 'REPUTATION' })).toBe(1 + 2 * W);
  });
});
