// Thin resolvers: arguments in, Store / clients out. List fields are made per entity from TYPES;
// relations and the provider score are written out, one field resolver each.
import { Arg, Args, Ctx, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context';
import { readIndexedHeights } from './context';
import { ENTITY_SPECS, type EntitySpec } from './entities';
import type { ProviderScore } from './inference';
import { PROTOCOL_RESOLVERS } from './protocol.resolver';
import type { ListArgs } from './sql/list';
import type { Page, Row } from './store';
import { SubscriptionResolver } from './subscriptions';
import { type EntityTypes, MetaType, ScoreFeatureType, TYPES } from './types';

function createListResolver(t: EntityTypes) {
  @Resolver()
  class ListResolver {
    @Query(() => t.page, { name: t.spec.plural, description: `${t.spec.name} rows, one page at a time` })
    list(@Args(() => t.args) args: ListArgs, @Ctx() ctx: GatewayContext): Promise<Page> {
      return ctx.store.list(t.spec, args);
    }
  }
  Object.defineProperty(ListResolver, 'name', { value: `${t.spec.name}ListResolver` });
  return ListResolver;
}

const toOne = (ctx: GatewayContext, spec: EntitySpec, id: unknown) => (typeof id === 'string' ? ctx.store.byId(spec, id) : null);

@Resolver()
class LookupResolver {
  @Query(() => TYPES.Subnet.object, { nullable: true })
  subnet(@Arg('netuid', () => Int) netuid: number, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Subnet, { netuid });
  }

  @Query(() => TYPES.Neuron.object, { nullable: true })
  neuron(@Arg('netuid', () => Int) netuid: number, @Arg('uid', () => Int) uid: number, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Neuron, { netuid, uid });
  }

  @Query(() => TYPES.Neuron.object, {
    nullable: true,
    description:
      "A subnet's neuron by its hotkey (any letter case; a hotkey holds at most one uid per subnet). On every subnet: neurons(where: { hotkey })",
  })
  neuronByHotkey(@Arg('netuid', () => Int) netuid: number, @Arg('hotkey', () => String) hotkey: string, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Neuron, { netuid, hotkey });
  }

  @Query(() => TYPES.Market.object, { nullable: true })
  market(@Arg('marketId', () => Int) marketId: number, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Market, { marketId });
  }

  @Query(() => TYPES.Provider.object, { nullable: true, description: 'By address, in any letter case' })
  provider(@Arg('address', () => String) address: string, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Provider, { address });
  }

  @Query(() => TYPES.Job.object, { nullable: true })
  job(@Arg('jobId', () => Int) jobId: number, @Ctx() ctx: GatewayContext) {
    return ctx.store.findOne(ENTITY_SPECS.Job, { jobId });
  }
}

@Resolver(() => TYPES.Subnet.object)
class SubnetRelations {
  @FieldResolver(() => TYPES.Neuron.page)
  neurons(@Root() subnet: Row, @Args(() => TYPES.Neuron.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.Neuron, column: 'subnet_id' }, subnet.id, args);
  }

  @FieldResolver(() => TYPES.SubnetEpoch.page, { description: 'Epochs the keeper posted, oldest first by default' })
  epochs(@Root() subnet: Row, @Args(() => TYPES.SubnetEpoch.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.SubnetEpoch, column: 'subnet_id' }, subnet.id, args);
  }

  @FieldResolver(() => TYPES.StakePosition.page)
  stakePositions(@Root() subnet: Row, @Args(() => TYPES.StakePosition.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.StakePosition, column: 'subnet_id' }, subnet.id, args);
  }
}

@Resolver(() => TYPES.Neuron.object)
class NeuronRelations {
  @FieldResolver(() => TYPES.Subnet.object)
  subnet(@Root() neuron: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Subnet, neuron.subnet);
  }
}

@Resolver(() => TYPES.SubnetEpoch.object)
class SubnetEpochRelations {
  @FieldResolver(() => TYPES.Subnet.object)
  subnet(@Root() epoch: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Subnet, epoch.subnet);
  }
}

@Resolver(() => TYPES.StakePosition.object)
class StakePositionRelations {
  @FieldResolver(() => TYPES.Subnet.object)
  subnet(@Root() position: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Subnet, position.subnet);
  }
}

@Resolver(() => TYPES.Market.object)
class MarketRelations {
  @FieldResolver(() => TYPES.Job.page)
  jobs(@Root() market: Row, @Args(() => TYPES.Job.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.Job, column: 'market_id' }, market.id, args);
  }
}

@Resolver(() => TYPES.Provider.object)
class ProviderRelations {
  @FieldResolver(() => TYPES.Job.page)
  jobs(@Root() provider: Row, @Args(() => TYPES.Job.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.Job, column: 'provider_id' }, provider.id, args);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Reputation from the inference model (0..1); null if not scored yet' })
  async score(@Root() provider: Row, @Ctx() ctx: GatewayContext): Promise<number | null> {
    return (await loadScore(provider, ctx))?.score ?? null;
  }

  @FieldResolver(() => [ScoreFeatureType], { nullable: true, description: 'The raw inputs that fed the score' })
  async scoreFeatures(@Root() provider: Row, @Ctx() ctx: GatewayContext): Promise<ScoreFeatureType[] | null> {
    const s = await loadScore(provider, ctx);
    return s ? Object.entries(s.features).map(([name, value]) => ({ name, value })) : null;
  }
}

function loadScore(provider: Row, ctx: GatewayContext): Promise<ProviderScore | null> {
  return ctx.scores.load(String(provider.address).toLowerCase());
}

@Resolver(() => TYPES.Job.object)
class JobRelations {
  @FieldResolver(() => TYPES.Market.object)
  market(@Root() job: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Market, job.market);
  }

  @FieldResolver(() => TYPES.Provider.object, { nullable: true })
  provider(@Root() job: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Provider, job.provider);
  }

  @FieldResolver(() => TYPES.JobEvent.page, { description: 'The timeline of the job, oldest first by default' })
  events(@Root() job: Row, @Args(() => TYPES.JobEvent.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: ENTITY_SPECS.JobEvent, column: 'job_id' }, job.id, args);
  }
}

@Resolver(() => TYPES.JobEvent.object)
class JobEventRelations {
  @FieldResolver(() => TYPES.Job.object)
  job(@Root() event: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, ENTITY_SPECS.Job, event.job);
  }
}

@Resolver()
class MetaResolver {
  @Query(() => MetaType, { name: '_meta' })
  meta(@Ctx() ctx: GatewayContext) {
    const { query, chain } = ctx.services;
    // Functions, so that graphql-js computes only the selected fields (each may cost a round trip).
    let heights: ReturnType<typeof readIndexedHeights> | undefined;
    const indexed = () => (heights ??= readIndexedHeights(query));
    const head = async () => (chain ? chain.head() : null);
    return {
      block: async () => (await indexed()).block,
      finalizedBlock: async () => (await indexed()).finalizedBlock,
      chainHead: head,
      lag: async () => {
        const [{ block }, h] = await Promise.all([indexed(), head()]);
        return block === null || h === null ? null : h - block;
      },
      executionProvider: () => ctx.services.executionProvider(),
    };
  }
}

// biome-ignore lint/complexity/noBannedTypes: type-graphql's own type for resolver classes
export const RESOLVERS: [Function, ...Function[]] = [
  LookupResolver,
  ...Object.values(TYPES).map(createListResolver),
  SubnetRelations,
  NeuronRelations,
  SubnetEpochRelations,
  StakePositionRelations,
  MarketRelations,
  ProviderRelations,
  JobRelations,
  JobEventRelations,
  MetaResolver,
  SubscriptionResolver,
  ...PROTOCOL_RESOLVERS,
];
