// Lookups and relations over the protocol's index-time tables (epochs, weights, market series,
// provider epochs, accounts). Every to-many relation goes through Store.related, so a page of
// parents costs one statement per relation, and every to-one through the per-request byId loader.
import { Arg, Args, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { StatPeriod } from '../schema';
import type { GatewayContext } from './context';
import { ENTITY_SPECS, type EntitySpec } from './entities';
import { BadUserInputError } from './errors';
import { RankingResolver } from './rankings.resolver';
import { BigIntScalar } from './scalars';
import type { ListArgs } from './sql/list';
import type { Row, ToMany } from './store';
import { TYPES } from './types';
import { SubnetEpochVerifyResolver } from './verify.resolver';

const E = ENTITY_SPECS;
const toOne = (ctx: GatewayContext, spec: EntitySpec, id: unknown) =>
  typeof id === 'string' || typeof id === 'number' ? ctx.store.byId(spec, String(id)) : null;

/**
 * A neuron's epochs: the rows of its uid while the current hotkey held it (a replaced uid's earlier
 * holder has its own history). The key is `netuid-uid-hotkey`; the (netuid, uid, epoch) index serves it.
 */
const NEURON_EPOCHS: ToMany = {
  spec: E.NeuronEpoch,
  column: 'netuid,uid,hotkey',
  match: (k) =>
    `"netuid" = split_part(${k}, '-', 1)::int AND "uid" = split_part(${k}, '-', 2)::int AND "hotkey" = split_part(${k}, '-', 3)`,
};

/** A neuron's stake by coldkey: positions on its hotkey in its subnet; key `netuid-hotkey`, index (netuid, hotkey). */
const NEURON_STAKE: ToMany = {
  spec: E.StakePosition,
  column: 'netuid,hotkey',
  match: (k) => `"netuid" = split_part(${k}, '-', 1)::int AND "hotkey" = split_part(${k}, '-', 2)`,
};

@Resolver()
export class ProtocolLookupResolver {
  @Query(() => TYPES.SubnetEpoch.object, {
    nullable: true,
    description: 'One posted epoch of a subnet (epoch numbers start at 1); verify recomputes it',
  })
  epoch(
    @Arg('netuid', () => Int) netuid: number,
    @Arg('number', () => Int, { nullable: true, description: 'The epoch number' }) number: number | null | undefined,
    @Arg('epoch', () => Int, { nullable: true, deprecationReason: 'use number' }) epoch: number | null | undefined,
    @Ctx() ctx: GatewayContext,
  ) {
    // Exactly one of the two: `epoch` was this argument's first name.
    if ((number == null) === (epoch == null)) throw new BadUserInputError('epoch takes exactly one of number and epoch (deprecated)');
    return ctx.store.byId(E.SubnetEpoch, `${netuid}-${number ?? epoch}`);
  }

  @Query(() => TYPES.Account.object, { nullable: true, description: 'A holder of the token, by address in any letter case' })
  account(@Arg('address', () => String) address: string, @Ctx() ctx: GatewayContext) {
    return ctx.store.byId(E.Account, address.toLowerCase());
  }
}

@ObjectType('Token', {
  simpleResolvers: true,
  description: 'The network token in total (per day: tokenSupplyDays; per market epoch: epochs, or tokenSupplyEpochs)',
})
export class TokenType {
  @Field(() => BigIntScalar, { description: 'Supply at the end of the newest indexed day' })
  supply: string;
  @Field(() => BigIntScalar, { description: 'Minted over all indexed days' })
  minted: string;
  @Field(() => BigIntScalar, { description: 'Burned over all indexed days' })
  burned: string;
}

@Resolver()
export class TokenResolver {
  @Query(() => TokenType, { description: 'Supply, minted and burned, from the per-day totals kept at index time' })
  async token(@Ctx() ctx: GatewayContext): Promise<TokenType> {
    // One row per day, so the sums read a few hundred rows, not every transfer.
    const [row] = await ctx.services.query(
      `SELECT COALESCE((SELECT "supply" FROM "token_supply_day" ORDER BY "day" DESC LIMIT 1), 0)::text AS "supply",
              COALESCE(sum("minted"), 0)::text AS "minted", COALESCE(sum("burned"), 0)::text AS "burned" FROM "token_supply_day"`,
      [],
    );
    return row as unknown as TokenType;
  }
}

@Resolver(() => TokenType)
export class TokenRelations {
  @FieldResolver(() => TYPES.TokenSupplyEpoch.page, {
    description: "Minted, burned and supply per epoch of one market's clock (each market has its own), oldest first by default",
  })
  epochs(
    @Arg('marketId', () => Int) marketId: number,
    @Args(() => TYPES.TokenSupplyEpoch.args) args: ListArgs,
    @Ctx() ctx: GatewayContext,
  ) {
    const market = String(marketId);
    const where = args.where ? { and: [args.where, { market }] } : { market };
    return ctx.store.list(E.TokenSupplyEpoch, { ...args, where });
  }
}

@Resolver(() => TYPES.Subnet.object)
export class SubnetProtocolRelations {
  @FieldResolver(() => TYPES.Weights.page, { description: "Its validators' current weight rows" })
  weights(@Root() subnet: Row, @Args(() => TYPES.Weights.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.Weights, column: 'subnet_id' }, subnet.id, args);
  }
}

@Resolver(() => TYPES.SubnetEpoch.object)
export class SubnetEpochProtocolRelations {
  @FieldResolver(() => TYPES.NeuronEpoch.page, { description: "Each neuron's results in this epoch" })
  neurons(@Root() epoch: Row, @Args(() => TYPES.NeuronEpoch.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.NeuronEpoch, column: 'subnet_epoch_id' }, epoch.id, args);
  }
}

@Resolver(() => TYPES.NeuronEpoch.object)
export class NeuronEpochRelations {
  @FieldResolver(() => TYPES.SubnetEpoch.object)
  subnetEpoch(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.SubnetEpoch, row.subnetEpoch);
  }

  @FieldResolver(() => TYPES.Neuron.object, {
    nullable: true,
    description: "The uid's neuron now (another hotkey if it was replaced since)",
  })
  neuron(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Neuron, `${row.netuid}-${row.uid}`);
  }
}

@Resolver(() => TYPES.Neuron.object)
export class NeuronProtocolRelations {
  @FieldResolver(() => TYPES.NeuronEpoch.page, { description: 'Its results epoch by epoch, oldest first by default' })
  epochs(@Root() neuron: Row, @Args(() => TYPES.NeuronEpoch.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related(NEURON_EPOCHS, `${neuron.netuid}-${neuron.uid}-${neuron.hotkey}`, args);
  }

  @FieldResolver(() => TYPES.Weights.object, {
    nullable: true,
    description: 'The weights this neuron last set as a validator; null if never',
  })
  weights(@Root() neuron: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Weights, neuron.id);
  }

  @FieldResolver(() => TYPES.StakePosition.page, { description: 'The stake on its hotkey in its subnet, one position per coldkey' })
  stakePositions(@Root() neuron: Row, @Args(() => TYPES.StakePosition.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related(NEURON_STAKE, `${neuron.netuid}-${neuron.hotkey}`, args);
  }

  @FieldResolver(() => TYPES.Account.object, { nullable: true, description: "Its coldkey's token account" })
  account(@Root() neuron: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Account, neuron.coldkey);
  }
}

@Resolver(() => TYPES.Weights.object)
export class WeightsRelations {
  @FieldResolver(() => TYPES.Subnet.object)
  subnet(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Subnet, row.subnet);
  }

  @FieldResolver(() => TYPES.Neuron.object, { nullable: true, description: 'The validator that set them' })
  neuron(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Neuron, row.id);
  }
}

@Resolver(() => TYPES.Market.object)
export class MarketProtocolRelations {
  @FieldResolver(() => TYPES.MarketEpoch.page, {
    description: 'Its epochs, the one in progress included (closed: false), oldest first by default',
  })
  epochs(@Root() market: Row, @Args(() => TYPES.MarketEpoch.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.MarketEpoch, column: 'market_id' }, market.id, args);
  }

  @FieldResolver(() => TYPES.MarketStat.page, { description: 'Its activity per hour or per day, oldest first by default' })
  stats(
    @Root() market: Row,
    @Arg('period', () => StatPeriod) period: StatPeriod,
    @Args(() => TYPES.MarketStat.args) args: ListArgs,
    @Ctx() ctx: GatewayContext,
  ) {
    const where = args.where ? { and: [args.where, { period }] } : { period };
    return ctx.store.related({ spec: E.MarketStat, column: 'market_id' }, market.id, { ...args, where });
  }
}

@Resolver(() => TYPES.MarketEpoch.object)
export class MarketEpochRelations {
  @FieldResolver(() => TYPES.Market.object)
  market(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Market, row.market);
  }
}

@Resolver(() => TYPES.TokenSupplyEpoch.object)
export class TokenSupplyEpochRelations {
  @FieldResolver(() => TYPES.Market.object, { description: 'The market whose epoch clock this is' })
  market(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Market, row.market);
  }
}

@Resolver(() => TYPES.MarketStat.object)
export class MarketStatRelations {
  @FieldResolver(() => TYPES.Market.object)
  market(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Market, row.market);
  }
}

@Resolver(() => TYPES.Provider.object)
export class ProviderProtocolRelations {
  @FieldResolver(() => TYPES.ProviderEpoch.page, { description: 'Its work and earnings per market epoch' })
  epochs(@Root() provider: Row, @Args(() => TYPES.ProviderEpoch.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.ProviderEpoch, column: 'provider_id' }, provider.id, args);
  }

  @FieldResolver(() => TYPES.Account.object, { nullable: true, description: "The provider's token account" })
  account(@Root() provider: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Account, provider.id);
  }
}

@Resolver(() => TYPES.ProviderEpoch.object)
export class ProviderEpochRelations {
  @FieldResolver(() => TYPES.Provider.object)
  provider(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Provider, row.provider);
  }

  @FieldResolver(() => TYPES.Market.object)
  market(@Root() row: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Market, row.marketId);
  }
}

@Resolver(() => TYPES.Account.object)
export class AccountRelations {
  @FieldResolver(() => TYPES.StakePosition.page, { description: 'Its stake positions (as coldkey)' })
  stakePositions(@Root() account: Row, @Args(() => TYPES.StakePosition.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.StakePosition, column: 'coldkey' }, account.id, args);
  }

  @FieldResolver(() => TYPES.Neuron.page, { description: 'Neurons it registered (as coldkey)' })
  neurons(@Root() account: Row, @Args(() => TYPES.Neuron.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.Neuron, column: 'coldkey' }, account.id, args);
  }

  @FieldResolver(() => TYPES.Job.page, { description: 'Jobs it posted as sender' })
  jobsSent(@Root() account: Row, @Args(() => TYPES.Job.args) args: ListArgs, @Ctx() ctx: GatewayContext) {
    return ctx.store.related({ spec: E.Job, column: 'sender' }, account.id, args);
  }

  @FieldResolver(() => TYPES.Provider.object, { nullable: true, description: 'Its provider record, if it is one' })
  provider(@Root() account: Row, @Ctx() ctx: GatewayContext) {
    return toOne(ctx, E.Provider, account.id);
  }
}

// biome-ignore lint/complexity/noBannedTypes: type-graphql's own type for resolver classes
export const PROTOCOL_RESOLVERS: Function[] = [
  ProtocolLookupResolver,
  SubnetProtocolRelations,
  SubnetEpochProtocolRelations,
  NeuronEpochRelations,
  NeuronProtocolRelations,
  WeightsRelations,
  MarketProtocolRelations,
  MarketEpochRelations,
  MarketStatRelations,
  TokenSupplyEpochRelations,
  ProviderProtocolRelations,
  ProviderEpochRelations,
  AccountRelations,
  SubnetEpochVerifyResolver,
  TokenResolver,
  TokenRelations,
  RankingResolver,
];
