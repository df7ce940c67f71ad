// subnetRankings, neuronRankings, providerRankings, marketRankings: one statement per ranking
// (gateway/rankings.ts); each item's entity is read through the per-request byId loader only when
// selected (a function on the item, which graphql-js's default resolver calls).
import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { JobEventRow, ProviderInfo } from '../inference/features/provider-history';
import type { GatewayContext } from './context';
import { ENTITY_SPECS, type EntitySpec } from './entities';
import { BadUserInputError, InferenceUnavailableError } from './errors';
import {
  buildMarketRanking,
  buildNeuronRanking,
  buildProviderRanking,
  buildReputationBaseline,
  buildSubnetRanking,
  historyFeatureNames,
  type MarketRankingBy,
  type NeuronRankingBy,
  PROVIDER_IDS_SQL,
  type ProviderRankingBy,
  type RankingRow,
  type RankingStatement,
  type RankingWindow,
  REPUTATION_EVENTS_SQL,
  REPUTATION_HEAD_SQL,
  REPUTATION_PROVIDERS_SQL,
  type ReputationHeadRow,
  type SubnetRankingBy,
  WINDOW_INTERVAL,
} from './rankings';
import { MAX_FIRST } from './sql/list';
import type { Row } from './store';
import { ScoreFeatureType, TYPES } from './types';

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
    "REPUTATION: the inference model's score of the provider's features now; change: minus the score the same model gives its features " +
    "as of the window start (computed from what was indexed by then: job events, completions' work units, registration data), " +
    'null for a provider not registered by then or for a model over provider-table counters (provider-reputation@1). ' +
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
    'Null for ALL, and for a level the entity did not have at the window start',
};

function rankingItem(name: string, entityField: string, entity: () => object, extra?: (proto: object) => void) {
  const cls = { [name]: class {} }[name];
  Field(() => Int, { description: RANKING_FIELDS.rank })(cls.prototype, 'rank');
  Field(() => String, { description: RANKING_FIELDS.value })(cls.prototype, 'value');
  Field(() => String, { nullable: true, description: RANKING_FIELDS.change })(cls.prototype, 'change');
  Field(entity)(cls.prototype, entityField);
  extra?.(cls.prototype);
  ObjectType(name, { simpleResolvers: true })(cls);
  return cls;
}

const SubnetRankingItem = rankingItem('SubnetRankingItem', 'subnet', () => TYPES.Subnet.object);
const NeuronRankingItem = rankingItem('NeuronRankingItem', 'neuron', () => TYPES.Neuron.object);
const ProviderRankingItem = rankingItem(
  'ProviderRankingItem',
  'provider',
  () => TYPES.Provider.object,
  (proto) => {
    Field(() => [ScoreFeatureType], {
      nullable: true,
      description: 'REPUTATION: the model inputs that produced the score (value), in its input order; null for other measures',
    })(proto, 'features');
    Field(() => [ScoreFeatureType], {
      nullable: true,
      description:
        'REPUTATION over a window: the inputs as of the window start that produced the past score (value - change); ' +
        'null where change is. Computed, with change, only when one of them is asked',
    })(proto, 'featuresAtWindowStart');
  },
);
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

interface PastScore {
  score: number;
  features: Record<string, number>;
}

const featureList = (features: Record<string, number>) => Object.entries(features).map(([name, value]) => ({ name, value }));

/**
 * The page's scores as of the window's start: three reads of what was indexed by then
 * (gateway/rankings.ts says which), the feature rows built as the inference service builds them,
 * and one POST /score of those rows to the model serving now. Providers without a past score
 * are absent.
 */
async function pastReputation(
  ctx: GatewayContext,
  window: Exclude<RankingWindow, 'ALL'>,
  page: readonly { id: string; features: Record<string, number> }[],
): Promise<Map<string, PastScore>> {
  const out = new Map<string, PastScore>();
  const names = page.length ? historyFeatureNames(Object.keys(page[0].features)) : null;
  if (!names) return out;
  const ids = page.map((p) => p.id);
  const interval = WINDOW_INTERVAL[window];
  const [head, providers, events] = await Promise.all([
    ctx.services.query(REPUTATION_HEAD_SQL, [interval]),
    ctx.services.query(REPUTATION_PROVIDERS_SQL, [interval, ids]),
    ctx.services.query(REPUTATION_EVENTS_SQL, [interval, ids]),
  ]);
  const h = head[0] as unknown as ReputationHeadRow | undefined;
  if (!h || h.start === null) return out; // nothing indexed: no window start
  const rows = buildReputationBaseline(h, providers as unknown as ProviderInfo[], events as unknown as JobEventRow[], names);
  if (rows.size === 0) return out;
  if (!ctx.services.inference) throw new InferenceUnavailableError('INFERENCE_URL is not configured');
  const pastIds = [...rows.keys()];
  const scored = await ctx.services.inference.scoreRows(pastIds.map((id) => rows.get(id) as number[]));
  // A reload between the two calls may serve a model with other inputs: its score would be of the wrong features.
  if (scored.names.join() !== names.join()) {
    throw new InferenceUnavailableError(`the model's inputs changed while ranking (now ${scored.names.join(', ')})`);
  }
  pastIds.forEach((id, i) => {
    const x = rows.get(id) as number[];
    out.set(id, { score: scored.scores[i] as number, features: Object.fromEntries(names.map((n, c) => [n, x[c] as number])) });
  });
  return out;
}

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
    // The score is the inference service's (one batched /score call, as Provider.score), so every
    // provider is scored before the first are taken.
    const ids = (await ctx.services.query(PROVIDER_IDS_SQL, [])).map((r) => String(r.id));
    const scores = await ctx.scores.loadMany(ids);
    const scored = ids.flatMap((id, i) => {
      const s = scores[i];
      if (s instanceof Error) throw s;
      return s ? [{ id, score: s.score, features: s.features }] : [];
    });
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const page = scored.slice(0, first);
    // The past scores replay the page's job history: only when change or the past features are asked,
    // once for the whole page (each item's fields share the promise).
    let past: Promise<Map<string, PastScore>> | undefined;
    const pastScores = () => {
      past ??= window === 'ALL' ? Promise.resolve(new Map()) : pastReputation(ctx, window, page);
      return past;
    };
    let rank = 0;
    return page.map((s, i) => {
      if (i === 0 || s.score !== page[i - 1].score) rank = i + 1;
      return {
        rank,
        value: String(s.score),
        change: async () => {
          const p = (await pastScores()).get(s.id);
          return p ? String(s.score - p.score) : null;
        },
        features: () => featureList(s.features),
        featuresAtWindowStart: async () => {
          const p = (await pastScores()).get(s.id);
          return p ? featureList(p.features) : null;
        },
        provider: () => ctx.store.byId(ENTITY_SPECS.Provider, s.id),
      };
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
