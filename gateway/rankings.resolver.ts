// subnetRankings, neuronRankings, providerRankings, marketRankings: one statement per ranking
// (gateway/rankings.ts); each item's entity is read through the per-request byId loader only when
// selected (a function on the item, which graphql-js's default resolver calls).
import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GatewayContext } from './context';
import { ENTITY_SPECS, type EntitySpec } from './entities';
import { BadUserInputError } from './errors';
import {
  buildMarketRanking,
  buildNeuronRanking,
  buildProviderRanking,
  buildSubnetRanking,
  type MarketRankingBy,
  type NeuronRankingBy,
  PROVIDER_IDS_SQL,
  type ProviderRankingBy,
  type RankingRow,
  type RankingStatement,
  type RankingWindow,
  type SubnetRankingBy,
} from './rankings';
import { MAX_FIRST } from './sql/list';
import type { Row } from './store';
import { TYPES } from './types';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
export const RankingWindowEnum = enumOf<RankingWindow>(['HOUR', 'DAY', 'WEEK', 'ALL']);
export const SubnetRankingByEnum = enumOf<SubnetRankingBy>(['EMISSION', 'STAKE', 'NEURONS', 'GROWTH']);
export const NeuronRankingByEnum = enumOf<NeuronRankingBy>(['INCENTIVE', 'DIVIDENDS', 'VALIDATOR_TRUST', 'EMISSION', 'STAKE']);
export const ProviderRankingByEnum = enumOf<ProviderRankingBy>(['REPUTATION', 'EARNINGS', 'WORK', 'SUCCESS_RATE']);
export const MarketRankingByEnum = enumOf<MarketRankingBy>(['VOLUME', 'JOBS']);
registerEnumType(RankingWindowEnum, {
  name: 'RankingWindow',
  description: "Rolling, up to the newest indexed block's time: the last HOUR, DAY or WEEK (now - length, now], or ALL of history",
});
registerEnumType(SubnetRankingByEnum, {
  name: 'SubnetRankingBy',
  description:
    'EMISSION: minted by its epochs in the window; STAKE: total stake; NEURONS: registered uids; GROWTH: net stake added in the window',
});
registerEnumType(NeuronRankingByEnum, {
  name: 'NeuronRankingBy',
  description: "INCENTIVE, DIVIDENDS, VALIDATOR_TRUST: the last epoch's u16 result; EMISSION: earned in the window; STAKE: on its hotkey",
});
registerEnumType(ProviderRankingByEnum, {
  name: 'ProviderRankingBy',
  description:
    'REPUTATION: the inference model score. ' +
    'EARNINGS: work and availability rewards in the window; WORK: approved work units in the window. ' +
    'SUCCESS_RATE: approved / (approved + rejected) over all its reviews; change: minus the same ratio over the reviews ' +
    '(JobApproved, JobRejected) indexed at or before the window start, each counted for the provider whose claim it reviewed; ' +
    'null without a review by then',
});
registerEnumType(MarketRankingByEnum, {
  name: 'MarketRankingBy',
  description: 'VOLUME: token escrowed by jobs posted in the window (by their postedAt); JOBS: jobs posted in it',
});

const RANKING_FIELDS = {
  rank: 'Position, 1 first; equal values share a rank',
  value: 'The measure, as an exact decimal (token amounts in wei, u16 results /65535, rates and scores 0..1)',
  change:
    'For a window: a flow minus its total in the window before; a level minus its value at the window start (see each measure). ' +
    'Null for ALL, REPUTATION, and for a level the entity did not have at the window start',
};

function rankingItem(name: string, entityField: string, entity: () => object) {
  const cls = { [name]: class {} }[name];
  Field(() => Int, { description: RANKING_FIELDS.rank })(cls.prototype, 'rank');
  Field(() => String, { description: RANKING_FIELDS.value })(cls.prototype, 'value');
  Field(() => String, { nullable: true, description: RANKING_FIELDS.change })(cls.prototype, 'change');
  Field(entity)(cls.prototype, entityField);
  ObjectType(name, { simpleResolvers: true })(cls);
  return cls;
}

const SubnetRankingItem = rankingItem('SubnetRankingItem', 'subnet', () => TYPES.Subnet.object);
const NeuronRankingItem = rankingItem('NeuronRankingItem', 'neuron', () => TYPES.Neuron.object);
const ProviderRankingItem = rankingItem('ProviderRankingItem', 'provider', () => TYPES.Provider.object);
const MarketRankingItem = rankingItem('MarketRankingItem', 'market', () => TYPES.Market.object);

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST)
    throw new BadUserInputError(`first must be between 0 and ${MAX_FIRST}, got ${first}`);
  return first;
}

async function run(ctx: GatewayContext, st: RankingStatement, spec: EntitySpec, field: string) {
  const rows = (await ctx.services.query(st.sql, st.params)) as unknown as RankingRow[];
  return rows.map((r) => ({ rank: r.rank, value: r.value, change: r.change, [field]: () => ctx.store.byId(spec, r.id) as Promise<Row> }));
}

const FIRST = { defaultValue: 50, description: 'How many, at most 1000' };

@Resolver()
export class RankingResolver {
  @Query(() => [SubnetRankingItem], { description: 'Subnets ranked by a measure over a window' })
  subnetRankings(
    @Arg('by', () => SubnetRankingByEnum) by: SubnetRankingBy,
    @Arg('window', () => RankingWindowEnum, { defaultValue: 'DAY' }) window: RankingWindow,
    @Arg('first', () => Int, FIRST) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    return run(ctx, buildSubnetRanking(by, window, checkFirst(first)), ENTITY_SPECS.Subnet, 'subnet');
  }

  @Query(() => [NeuronRankingItem], { description: "A subnet's neurons ranked by a measure; change over the window" })
  neuronRankings(
    @Arg('netuid', () => Int) netuid: number,
    @Arg('by', () => NeuronRankingByEnum) by: NeuronRankingBy,
    @Arg('window', () => RankingWindowEnum, { defaultValue: 'DAY' }) window: RankingWindow,
    @Arg('first', () => Int, FIRST) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    return run(ctx, buildNeuronRanking(netuid, by, window, checkFirst(first)), ENTITY_SPECS.Neuron, 'neuron');
  }

  @Query(() => [ProviderRankingItem], { description: 'Providers ranked by a measure over a window' })
  async providerRankings(
    @Arg('by', () => ProviderRankingByEnum) by: ProviderRankingBy,
    @Arg('window', () => RankingWindowEnum, { defaultValue: 'DAY' }) window: RankingWindow,
    @Arg('first', () => Int, FIRST) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    checkFirst(first);
    if (by !== 'REPUTATION') return run(ctx, buildProviderRanking(by, window, first), ENTITY_SPECS.Provider, 'provider');
    // The score is the inference service's (one batched /score call, as Provider.score); it keeps
    // no history, so the window does not apply and change is null.
    const ids = (await ctx.services.query(PROVIDER_IDS_SQL, [])).map((r) => String(r.id));
    const scores = await ctx.scores.loadMany(ids);
    const scored = ids.flatMap((id, i) => {
      const s = scores[i];
      if (s instanceof Error) throw s;
      return s ? [{ id, score: s.score }] : [];
    });
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    let rank = 0;
    return scored.slice(0, first).map((s, i) => {
      if (i === 0 || s.score !== scored[i - 1].score) rank = i + 1;
      return { rank, value: String(s.score), change: null, provider: () => ctx.store.byId(ENTITY_SPECS.Provider, s.id) };
    });
  }

  @Query(() => [MarketRankingItem], { description: 'Markets ranked by volume or jobs posted over a window' })
  marketRankings(
    @Arg('by', () => MarketRankingByEnum) by: MarketRankingBy,
    @Arg('window', () => RankingWindowEnum, { defaultValue: 'DAY' }) window: RankingWindow,
    @Arg('first', () => Int, FIRST) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    return run(ctx, buildMarketRanking(by, window, checkFirst(first)), ENTITY_SPECS.Market, 'market');
  }
}
