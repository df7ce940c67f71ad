// Subscriptions (served over graphql-ws): each one reads this process's change feed, re-reads
// the rows a batch changed in one SQL statement, and emits those that match its filter. Rows are
// read after the indexer committed, so what a client gets is what a query would return then.
import { Arg, Field, Int, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import type { ChangeEvent } from './changes';
import { type GatewayContext, renewContext } from './context';
import { ENTITY_SPECS, type EntitySpec } from './entities';
import { fromDatabaseError, GatewayError } from './errors';
import { compileWhere, type Where } from './sql/filter';
import { buildChangedQuery } from './sql/list';
import { SqlParams } from './sql/params';
import type { Row } from './store';
import { TYPES } from './types';

@ObjectType('NewBlock', { simpleResolvers: true, description: 'A batch of blocks the indexer has committed' })
export class NewBlockType {
  @Field(() => Int, { description: 'Height of the last block of the batch' })
  number: number;
}

/** One emission: a row, or an error to report without ending the subscription. */
type Emitted<T> = { value: T } | { error: unknown };

class SubscriptionsUnavailableError extends GatewayError {
  readonly code = 'INTERNAL_SERVER_ERROR' as const;
  readonly retryable = true;
  constructor() {
    super('subscriptions need a gateway that listens for changes', 'INTERNAL_SERVER_ERROR');
    this.name = 'SubscriptionsUnavailableError';
  }
}

/**
 * Wraps a generator so that `return()` (the client unsubscribed) ends it at once: an async
 * generator waiting for the next event would otherwise only see its return after that event.
 */
function closable<T>(gen: AsyncGenerator<T>, stop: () => Promise<unknown>): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    next: () => gen.next(),
    async return() {
      await stop();
      return gen.return(undefined);
    },
    throw: (err) => gen.throw(err),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

function events(ctx: GatewayContext) {
  const feed = ctx.services.changes;
  if (!feed) throw new SubscriptionsUnavailableError();
  return feed.subscribe();
}

/**
 * The rows of `spec` that each batch changed and that match `where`. `mayMatch` skips the SQL
 * when the listed ids cannot match (one provider, one subnet's epochs).
 */
function watchRows(
  ctx: GatewayContext,
  spec: EntitySpec,
  where: Where | null,
  mayMatch: (ids: readonly string[]) => boolean = () => true,
): AsyncIterableIterator<Emitted<Row>> {
  // Checked now, so that a bad filter is refused when subscribing rather than at the first event.
  compileWhere(spec, where, new SqlParams());
  const source = events(ctx);
  const run = async function* (): AsyncGenerator<Emitted<Row>> {
    for await (const e of source) {
      if (!(spec.name in e.entities)) continue;
      const ids = e.entities[spec.name];
      if (ids && !mayMatch(ids)) continue;
      const st = buildChangedQuery(spec, where, ids ? { ids } : { fromBlock: e.fromBlock, toBlock: e.block });
      let rows: Row[];
      try {
        rows = (await ctx.services.query(st.sql, st.params)) as Row[];
      } catch (err) {
        yield { error: fromDatabaseError(err) };
        continue;
      }
      renewContext(ctx);
      for (const row of rows) yield { value: row };
    }
  };
  return closable(run(), () => source.return?.() ?? Promise.resolve());
}

function unwrap<T>(e: Emitted<T>): T {
  if ('error' in e) throw e.error;
  return e.value;
}

const blocks = (ctx: GatewayContext): AsyncIterableIterator<Emitted<NewBlockType>> => {
  const source = events(ctx);
  const run = async function* (): AsyncGenerator<Emitted<NewBlockType>> {
    for await (const e of source as AsyncIterable<ChangeEvent>) yield { value: { number: e.block } };
  };
  return closable(run(), () => source.return?.() ?? Promise.resolve());
};

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => NewBlockType, {
    description: 'Each batch of blocks the indexer commits, with the height it reached',
    subscribe: ({ context }) => blocks(context as GatewayContext),
  })
  newBlock(@Root() e: Emitted<NewBlockType>): NewBlockType {
    return unwrap(e);
  }

  @Subscription(() => TYPES.Job.object, {
    description: 'Each job that a batch changed and that matches `where`, as it is after the batch',
    subscribe: ({ args, context }) => watchRows(context as GatewayContext, ENTITY_SPECS.Job, (args.where as Where | undefined) ?? null),
  })
  jobUpdated(@Root() e: Emitted<Row>, @Arg('where', () => TYPES.Job.where, { nullable: true }) _where?: Where): Row {
    return unwrap(e);
  }

  @Subscription(() => TYPES.Provider.object, {
    description: 'The provider at this address (any letter case), each time a batch changes it',
    subscribe: ({ args, context }) => {
      const address = String(args.address).toLowerCase();
      return watchRows(context as GatewayContext, ENTITY_SPECS.Provider, { id: address }, (ids) => ids.includes(address));
    },
  })
  providerUpdated(@Root() e: Emitted<Row>, @Arg('address', () => String) _address: string): Row {
    return unwrap(e);
  }

  @Subscription(() => TYPES.SubnetEpoch.object, {
    description: 'Each epoch the keeper posts, of one subnet or (netuid omitted) of every subnet',
    subscribe: ({ args, context }) => {
      const netuid = args.netuid as number | null | undefined;
      if (netuid == null) return watchRows(context as GatewayContext, ENTITY_SPECS.SubnetEpoch, null);
      // Epoch ids are `<netuid>-<epoch>`: most batches can be skipped without a query.
      const prefix = `${netuid}-`;
      return watchRows(context as GatewayContext, ENTITY_SPECS.SubnetEpoch, { netuid }, (ids) => ids.some((id) => id.startsWith(prefix)));
    },
  })
  epochFinalized(@Root() e: Emitted<Row>, @Arg('netuid', () => Int, { nullable: true }) _netuid?: number): Row {
    return unwrap(e);
  }
}
