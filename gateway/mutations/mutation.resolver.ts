// GraphQL surface of the signed mutations: per action a `<action>TypedData` query that returns
// what to sign and a `<action>` mutation that takes it back with the signature; and the token
// approval by ERC-2612 permit (approveTokenTypedData / approveToken). Thin: the pipeline is the
// MutationService's.
import 'reflect-metadata';
import { GraphQLJSON } from 'graphql-scalars';
import { Args, ArgsType, Ctx, Field, InputType, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GatewayContext } from '../context';
import { BadUserInputError, ErrorCode, MutationError } from '../errors';
import { BigIntScalar } from '../scalars';
import type { ActionName } from './actions';
import type { MutationService, RelayResult, Signable, TokenSpender } from './service';
import {
  type ForwardRequest as ForwardRequestValue,
  forwardRequestStrings,
  type Permit as PermitValue,
  parseBytes,
  permitStrings,
} from './typed-data';

export const RelayStatus = { SUCCESS: 'SUCCESS', PENDING: 'PENDING' } as const;
registerEnumType(RelayStatus, {
  name: 'RelayStatus',
  description: 'SUCCESS: mined and succeeded; PENDING: sent, not awaited (wait: false)',
});

export const TokenSpenderEnum = { COMPUTE_MARKET: 'COMPUTE_MARKET', SUBNET_REGISTRY: 'SUBNET_REGISTRY' } as const;
registerEnumType(TokenSpenderEnum, {
  name: 'TokenSpender',
  description: 'Who may spend the approved token: the market (job escrow) or the registry (stake)',
});

@InputType('ForwardRequestInput', { description: "The `message` of the typed data you signed, as it is (the forwarder's ForwardRequest)" })
class ForwardRequestInput {
  @Field() from: string;
  @Field() to: string;
  @Field(() => BigIntScalar) value: string;
  @Field(() => BigIntScalar) gas: string;
  @Field(() => BigIntScalar) nonce: string;
  @Field(() => BigIntScalar) deadline: string;
  @Field() data: string;
}

@ObjectType('ForwardRequest', {
  simpleResolvers: true,
  description: "ERC-2771 ForwardRequest: the call, the signer's nonce, a deadline (unix seconds, chain clock)",
})
class ForwardRequestType {
  @Field() from: string;
  @Field() to: string;
  @Field(() => BigIntScalar) value: string;
  @Field(() => BigIntScalar, { description: 'Gas forwarded to the call' }) gas: string;
  @Field(() => BigIntScalar) nonce: string;
  @Field(() => BigIntScalar) deadline: string;
  @Field({ description: 'The encoded contract call' }) data: string;
}

@ObjectType('SignableForwardRequest', { simpleResolvers: true })
class SignableForwardRequestType {
  @Field(() => GraphQLJSON, {
    description: 'EIP-712 typed data { domain, types, primaryType, message }: sign it as it is (eth_signTypedData_v4, viem signTypedData)',
  })
  typedData: unknown;
  @Field(() => ForwardRequestType, { description: 'The same as typedData.message: send it back with the signature' })
  request: ForwardRequestType;
}

@InputType('PermitInput', { description: 'The `message` of the permit typed data you signed, as it is' })
class PermitInput {
  @Field() owner: string;
  @Field() spender: string;
  @Field(() => BigIntScalar) value: string;
  @Field(() => BigIntScalar) nonce: string;
  @Field(() => BigIntScalar) deadline: string;
}

@ObjectType('Permit', { simpleResolvers: true, description: 'ERC-2612 Permit of the token' })
class PermitType {
  @Field() owner: string;
  @Field() spender: string;
  @Field(() => BigIntScalar) value: string;
  @Field(() => BigIntScalar) nonce: string;
  @Field(() => BigIntScalar) deadline: string;
}

@ObjectType('SignablePermit', { simpleResolvers: true })
class SignablePermitType {
  @Field(() => GraphQLJSON, { description: 'EIP-712 typed data to sign as it is' })
  typedData: unknown;
  @Field(() => PermitType)
  permit: PermitType;
}

@ObjectType('RelayResult', { simpleResolvers: true })
class RelayResultType {
  @Field() transactionHash: string;
  @Field(() => RelayStatus) status: string;
  @Field({ description: 'The address that signed the request (lowercase)' }) signer: string;
  @Field(() => BigIntScalar) nonce: string;
  @Field(() => Int, { nullable: true, description: 'Block it was mined in; wait for `_meta.block` to reach it to read it back' })
  blockNumber: number | null;
  @Field(() => BigIntScalar, { nullable: true, description: 'Paid by the relayer' }) gasUsed: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'What it created or changed, as the index keys it: a job id, a provider address, coldkey-hotkey-netuid, netuid-uid, owner-spender',
  })
  id: string | null;
  @Field(() => Int, { nullable: true }) jobId: number | null;
  @Field(() => String, { nullable: true }) provider: string | null;
}

// ---- typed-data query arguments ----

@ArgsType()
class SignerArgs {
  @Field({ description: 'The wallet that will sign (and act)' }) from: string;
  @Field(() => Int, { nullable: true, description: 'Seconds the signature stays valid, on the chain clock; 600 by default' })
  expiresIn?: number;
}

@ArgsType()
class ProviderArgs extends SignerArgs {
  @Field() gpuModel: string;
  @Field(() => Int) vramGb: number;
  @Field(() => Int) benchmarkScore: number;
  @Field(() => Int, { description: '1 to 3' }) tier: number;
}

@ArgsType()
class SubmitJobArgs extends SignerArgs {
  @Field(() => Int) marketId: number;
  @Field({ description: '32-byte hash of the job spec, 0x-prefixed' }) specHash: string;
  @Field(() => BigIntScalar, { description: 'Thousandths of a work unit; the escrow is quoted from it' }) workEstimate: string;
  @Field(() => BigIntScalar, { nullable: true, description: 'Job deadline, unix seconds on the chain clock' }) deadline?: string;
  @Field(() => Int, { nullable: true, description: 'Or: job deadline in seconds from the chain clock now' }) deadlineIn?: number;
}

@ArgsType()
class JobArgs extends SignerArgs {
  @Field(() => Int) jobId: number;
}

@ArgsType()
class JobResultArgs extends JobArgs {
  @Field({ description: '32-byte hash of the result, 0x-prefixed' }) resultHash: string;
  @Field(() => BigIntScalar, { description: 'Thousandths of a work unit' }) workUnits: string;
}

@ArgsType()
class StakeArgs extends SignerArgs {
  @Field() hotkey: string;
  @Field(() => Int) netuid: number;
  @Field(() => BigIntScalar, { description: 'Token wei' }) amount: string;
}

@ArgsType()
class WeightsArgs extends SignerArgs {
  @Field(() => Int) netuid: number;
  @Field(() => [Int], { description: 'Strictly ascending uids' }) uids: number[];
  @Field(() => [Int], { description: 'u16 weights, one per uid' }) values: number[];
}

@ArgsType()
class PermitArgs {
  @Field() owner: string;
  @Field(() => TokenSpenderEnum) spender: keyof typeof TokenSpenderEnum;
  @Field(() => BigIntScalar, { description: 'Token wei the spender may take' }) amount: string;
  @Field(() => Int, { nullable: true }) expiresIn?: number;
}

@ArgsType()
class RelayArgs {
  @Field(() => ForwardRequestInput) request: ForwardRequestInput;
  @Field({ description: '65-byte signature (r, s, v), 0x-prefixed' }) signature: string;
  @Field({ defaultValue: true, description: 'false: answer once sent (PENDING), without waiting for the block' }) wait: boolean;
}

@ArgsType()
class PermitRelayArgs {
  @Field(() => PermitInput) permit: PermitInput;
  @Field() signature: string;
  @Field({ defaultValue: true }) wait: boolean;
}

function service(ctx: GatewayContext): MutationService {
  const s = ctx.services.mutations;
  if (!s)
    throw new MutationError(ErrorCode.MUTATIONS_UNAVAILABLE, 'this gateway has no chain to relay to (no RPC_URL and DEPLOYMENT_FILE)');
  return s;
}

const signableRequest = (s: Signable<ForwardRequestValue>): SignableForwardRequestType => ({
  typedData: s.typedData,
  request: forwardRequestStrings(s.request),
});

const relayResult = (r: RelayResult): RelayResultType => ({
  transactionHash: r.transactionHash,
  status: r.status,
  signer: r.signer,
  nonce: r.nonce.toString(),
  blockNumber: r.blockNumber,
  gasUsed: r.gasUsed === null ? null : r.gasUsed.toString(),
  id: r.id ?? null,
  jobId: r.jobId ?? null,
  provider: r.provider ?? null,
});

const u32 = (v: number, name: string) => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BadUserInputError(`${name} must be between 0 and ${0xffffffff}`);
  return v;
};

async function prepare(ctx: GatewayContext, action: ActionName, a: SignerArgs, args: readonly unknown[]) {
  return signableRequest(await service(ctx).prepare(action, a.from, args, a.expiresIn));
}

async function submit(ctx: GatewayContext, action: ActionName, a: RelayArgs) {
  const r = await service(ctx).submit(action, { ...a.request }, a.signature, { clientIp: ctx.clientIp, wait: a.wait });
  return relayResult(r);
}

@Resolver()
export class MutationResolver {
  // ---- what to sign ----

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for registerProvider (ComputeMarket.registerProvider)' })
  registerProviderTypedData(@Args(() => ProviderArgs) a: ProviderArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'registerProvider', a, [a.gpuModel, u32(a.vramGb, 'vramGb'), u32(a.benchmarkScore, 'benchmarkScore'), a.tier]);
  }

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for updateProvider (new hardware or benchmark)' })
  updateProviderTypedData(@Args(() => ProviderArgs) a: ProviderArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'updateProvider', a, [a.gpuModel, u32(a.vramGb, 'vramGb'), u32(a.benchmarkScore, 'benchmarkScore'), a.tier]);
  }

  @Query(() => SignableForwardRequestType, {
    description: 'Typed data to sign for submitJob (ComputeMarket.postJob: escrows the quoted payment)',
  })
  async submitJobTypedData(@Args(() => SubmitJobArgs) a: SubmitJobArgs, @Ctx() ctx: GatewayContext) {
    if ((a.deadline == null) === (a.deadlineIn == null)) throw new BadUserInputError('give exactly one of deadline and deadlineIn');
    const deadline = a.deadline != null ? BigInt(a.deadline) : (await service(ctx).chainTime()) + BigInt(a.deadlineIn as number);
    return prepare(ctx, 'submitJob', a, [a.marketId, parseBytes(a.specHash, 'specHash', 32), BigInt(a.workEstimate), deadline]);
  }

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for cancelJob (by its sender, while nobody claimed it)' })
  cancelJobTypedData(@Args(() => JobArgs) a: JobArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'cancelJob', a, [BigInt(a.jobId)]);
  }

  @Query(() => SignableForwardRequestType, {
    description: 'Typed data to sign for claimJob (by a registered provider qualified for the market)',
  })
  claimJobTypedData(@Args(() => JobArgs) a: JobArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'claimJob', a, [BigInt(a.jobId)]);
  }

  @Query(() => SignableForwardRequestType, {
    description: 'Typed data to sign for submitJobResult (ComputeMarket.completeJob, by the claimant)',
  })
  submitJobResultTypedData(@Args(() => JobResultArgs) a: JobResultArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'submitJobResult', a, [BigInt(a.jobId), parseBytes(a.resultHash, 'resultHash', 32), BigInt(a.workUnits)]);
  }

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for approveJob (by its sender or a market validator)' })
  approveJobTypedData(@Args(() => JobArgs) a: JobArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'approveJob', a, [BigInt(a.jobId)]);
  }

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for rejectJob (by its sender or a market validator)' })
  rejectJobTypedData(@Args(() => JobArgs) a: JobArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'rejectJob', a, [BigInt(a.jobId)]);
  }

  @Query(() => SignableForwardRequestType, {
    description: 'Typed data to sign for addStake (from the signing coldkey to a registered hotkey)',
  })
  addStakeTypedData(@Args(() => StakeArgs) a: StakeArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'addStake', a, [a.hotkey, a.netuid, BigInt(a.amount)]);
  }

  @Query(() => SignableForwardRequestType, { description: 'Typed data to sign for removeStake' })
  removeStakeTypedData(@Args(() => StakeArgs) a: StakeArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'removeStake', a, [a.hotkey, a.netuid, BigInt(a.amount)]);
  }

  @Query(() => SignableForwardRequestType, {
    description: 'Typed data to sign for setWeights (signed by a validator hotkey holding a permit)',
  })
  setWeightsTypedData(@Args(() => WeightsArgs) a: WeightsArgs, @Ctx() ctx: GatewayContext) {
    return prepare(ctx, 'setWeights', a, [a.netuid, a.uids, a.values]);
  }

  @Query(() => SignablePermitType, {
    description:
      'ERC-2612 permit to sign so that the market (job escrow) or the registry (stake) may take your token; send it with approveToken',
  })
  async approveTokenTypedData(@Args(() => PermitArgs) a: PermitArgs, @Ctx() ctx: GatewayContext): Promise<SignablePermitType> {
    const spender: TokenSpender = a.spender === 'COMPUTE_MARKET' ? 'market' : 'registry';
    const s = await service(ctx).preparePermit(a.owner, spender, BigInt(a.amount), a.expiresIn);
    return { typedData: s.typedData, permit: permitStrings(s.request as PermitValue) };
  }

  // ---- relayed ----

  @Mutation(() => RelayResultType, { description: 'Registers the signer as a GPU provider; id: its address' })
  registerProvider(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'registerProvider', a);
  }

  @Mutation(() => RelayResultType, { description: "Updates the signer's provider record; id: its address" })
  updateProvider(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'updateProvider', a);
  }

  @Mutation(() => RelayResultType, { description: 'Posts a job and escrows its payment; id and jobId: the new job' })
  submitJob(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'submitJob', a);
  }

  @Mutation(() => RelayResultType, { description: 'Cancels an unclaimed job and refunds it' })
  cancelJob(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'cancelJob', a);
  }

  @Mutation(() => RelayResultType, { description: 'Claims a posted job for the signing provider' })
  claimJob(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'claimJob', a);
  }

  @Mutation(() => RelayResultType, { description: 'Completes a claimed job with its result hash and work units' })
  submitJobResult(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'submitJobResult', a);
  }

  @Mutation(() => RelayResultType, { description: 'Approves completed work: the payment is burned (95%) and paid as fee (5%)' })
  approveJob(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'approveJob', a);
  }

  @Mutation(() => RelayResultType, {
    description: 'Rejects completed work: the job is reassigned, or quarantined and refunded at the third rejection',
  })
  rejectJob(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'rejectJob', a);
  }

  @Mutation(() => RelayResultType, { description: 'Stakes token from the signing coldkey; id: coldkey-hotkey-netuid' })
  addStake(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'addStake', a);
  }

  @Mutation(() => RelayResultType, { description: 'Unstakes token back to the signing coldkey; id: coldkey-hotkey-netuid' })
  removeStake(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'removeStake', a);
  }

  @Mutation(() => RelayResultType, { description: "Sets the signing validator hotkey's weights; id: netuid-uid" })
  setWeights(@Args(() => RelayArgs) a: RelayArgs, @Ctx() ctx: GatewayContext) {
    return submit(ctx, 'setWeights', a);
  }

  @Mutation(() => RelayResultType, { description: 'Relays a signed ERC-2612 permit (the token approval, without ETH); id: owner-spender' })
  async approveToken(@Args(() => PermitRelayArgs) a: PermitRelayArgs, @Ctx() ctx: GatewayContext) {
    return relayResult(await service(ctx).submitPermit({ ...a.permit }, a.signature, { clientIp: ctx.clientIp, wait: a.wait }));
  }
}
