// SubnetEpoch.verify: the epochs asked for in one request are grouped by subnet, and each subnet is
// replayed once up to its highest epoch asked (gateway/verify.ts), with three statements per subnet:
// its posted epochs, its registry events up to that block, and the posted per-uid rows of the
// epochs asked. A list of 50 epochs of one subnet costs one replay, not 50.
import DataLoader from 'dataloader';
import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context';
import type { Row, Store } from './store';
import { TYPES } from './types';
import {
  compareEpoch,
  type PostedEpochRow,
  type PostedNeuronRow,
  REGISTRY_EVENTS,
  type RegistryEventRow,
  replayEpochs,
  type Verification,
} from './verify';

@ObjectType('EpochMismatch', { simpleResolvers: true, description: 'One output where the recomputation and the posted epoch differ' })
export class EpochMismatchType {
  @Field(() => Int, { nullable: true, description: 'The uid; null for a field of the epoch itself (inputsHash, ownerCut, neuronCount)' })
  uid: number | null;
  @Field({ description: 'stakeWeight, consensus, incentive, dividends, validatorTrust, rank, trust, validatorPermit, emission, row, ...' })
  field: string;
  @Field({ description: 'What Yuma gives on the indexed inputs' })
  expected: string;
  @Field({ description: 'What the keeper posted' })
  actual: string;
}

@ObjectType('EpochVerification', {
  simpleResolvers: true,
  description:
    "The epoch recomputed with Yuma from indexed stake, weights, registrations and hyperparameters, compared with the keeper's post",
})
export class EpochVerificationType {
  @Field({ description: 'Every u16 output, permit and emission of every uid, the owner cut and the inputs hash agree' })
  matches: boolean;
  @Field({
    description:
      "keccak256 of the recomputed inputs (chain/keeper/epoch.ts encoding); equals the posted one when the index holds the keeper's inputs",
  })
  inputsHash: string;
  @Field(() => [EpochMismatchType])
  mismatches: EpochMismatchType[];
}

type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

async function verifySubnet(query: Query, netuid: number, epochs: readonly number[]): Promise<Map<number, Verification | null>> {
  const max = Math.max(...epochs);
  const posted = (await query(
    `SELECT "epoch", "block", "inputs_hash" AS "inputsHash", "owner_cut"::text AS "ownerCut"
       FROM "subnet_epoch" WHERE "netuid" = $1::int AND "epoch" <= $2::int ORDER BY "epoch"`,
    [netuid, max],
  )) as unknown as PostedEpochRow[];
  const out = new Map<number, Verification | null>(epochs.map((e) => [e, null]));
  if (posted.length === 0) return out;
  const last = posted[posted.length - 1];
  // The (netuid, block_number) index narrows to the subnet's events up to the last epoch's block.
  const events = (await query(
    `SELECT "name", "block_number" AS "blockNumber", "args" FROM "chain_event"
      WHERE "contract" = 'registry' AND "name" = ANY($1::text[]) AND "block_number" <= $2::int AND "netuid" = $3::int
      ORDER BY "block_number", "log_index"`,
    [REGISTRY_EVENTS, last.block, netuid],
  )) as unknown as RegistryEventRow[];
  const rows = (await query(
    `SELECT "epoch", "uid", "hotkey", "stake_weight" AS "stakeWeight", "consensus", "incentive", "dividends",
            "validator_trust" AS "validatorTrust", "rank", "trust", "emission"::text AS "emission", "validator_permit" AS "validatorPermit"
       FROM "neuron_epoch" WHERE "netuid" = $1::int AND "epoch" = ANY($2::int[])`,
    [netuid, epochs],
  )) as unknown as (PostedNeuronRow & { epoch: number })[];
  const built = replayEpochs(netuid, events, posted);
  for (const e of epochs) {
    const b = built[e - 1];
    if (!b) continue;
    out.set(
      e,
      compareEpoch(
        b,
        posted[e - 1],
        rows.filter((r) => r.epoch === e),
      ),
    );
  }
  return out;
}

const loaders = new WeakMap<Store, DataLoader<string, Verification | null>>();

function verifier(ctx: GatewayContext): DataLoader<string, Verification | null> {
  let l = loaders.get(ctx.store);
  if (!l) {
    l = new DataLoader<string, Verification | null>(async (keys) => {
      const bySubnet = new Map<number, number[]>();
      for (const k of keys) {
        const [netuid, epoch] = k.split('-').map(Number);
        bySubnet.set(netuid, [...(bySubnet.get(netuid) ?? []), epoch]);
      }
      const results = new Map<string, Verification | null>();
      for (const [netuid, epochs] of bySubnet) {
        for (const [e, v] of await verifySubnet(ctx.services.query, netuid, epochs)) results.set(`${netuid}-${e}`, v);
      }
      return keys.map((k) => results.get(k) ?? null);
    });
    loaders.set(ctx.store, l);
  }
  return l;
}

@Resolver(() => TYPES.SubnetEpoch.object)
export class SubnetEpochVerifyResolver {
  @FieldResolver(() => EpochVerificationType, {
    nullable: true,
    description: 'Recomputes this epoch with Yuma from the indexed chain events and compares it with what the keeper posted',
  })
  verify(@Root() epoch: Row, @Ctx() ctx: GatewayContext) {
    return verifier(ctx).load(`${epoch.netuid}-${epoch.epoch}`);
  }
}
