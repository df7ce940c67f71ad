// Who may do what, read from the indexed state in Postgres (the chain would say the same, later
// and for gas): the job's sender cancels, approves and rejects it (or a market validator reviews
// it), a registered provider qualified for the market claims it, its claimant submits the result,
// a validator-permit holder sets weights; token balances and stake must cover the amount. What the
// index does not keep (the token allowance, the market's quote) is read from the chain.
import type { Address } from 'viem';
import { ErrorCode, MutationError } from '../errors';
import type { QueryFn } from '../store';
import type { ActionCall } from './actions';

export interface ChainReads {
  /** ComputeMarket.quotePayment: the escrow a job of this size costs now. */
  quotePayment(marketId: number, workEstimate: bigint): Promise<bigint>;
  /** GridToken.allowance(owner, spender). */
  allowance(owner: Address, spender: Address): Promise<bigint>;
}

export interface RoleCheckDeps {
  query: QueryFn;
  chain: ChainReads;
  contracts: { market: Address; registry: Address };
  /** keccak256("VALIDATOR_ROLE") on the market. */
  validatorRole: string;
}

const wrongRole = (message: string) => new MutationError(ErrorCode.WRONG_ROLE, message);
const notFound = (message: string) =>
  new MutationError(ErrorCode.NOT_FOUND, `${message} (if it was just created, retry once the index has it)`);

async function one(query: QueryFn, sql: string, params: unknown[]): Promise<Record<string, unknown> | undefined> {
  return (await query(sql, params))[0];
}

async function job(query: QueryFn, jobId: bigint) {
  const row = await one(
    query,
    `SELECT "j"."sender", "j"."provider_id" AS "provider", "j"."state", "m"."market_id" AS "marketId", "m"."tier", "m"."min_vram_gb" AS "minVramGb"
       FROM "job" "j" JOIN "market" "m" ON "m"."id" = "j"."market_id" WHERE "j"."job_id" = $1`,
    [jobId.toString()],
  );
  if (!row) throw notFound(`job ${jobId} is not in the index`);
  return row as { sender: string; provider: string | null; state: string; marketId: number; tier: number; minVramGb: number | null };
}

async function balanceOf(query: QueryFn, who: Address): Promise<bigint> {
  const row = await one(query, `SELECT "balance"::text AS "balance" FROM "account" WHERE "id" = $1`, [who]);
  return row ? BigInt(row.balance as string) : 0n;
}

/**
 * ComputeMarket.isValidator by the index: a validator-permit holder of the compute subnet, or an
 * account the admin gave VALIDATOR_ROLE (the latest grant or revocation decides).
 */
async function isMarketValidator(query: QueryFn, who: Address, role: string): Promise<boolean> {
  const row = await one(
    query,
    `SELECT EXISTS (SELECT 1 FROM "neuron" "n" JOIN "subnet" "s" ON "s"."netuid" = "n"."netuid"
                     WHERE "s"."is_compute" AND "n"."hotkey" = $2 AND "n"."validator_permit") AS "permit",
            (SELECT "name" FROM "chain_event"
              WHERE "contract" = 'market' AND "name" IN ('RoleGranted', 'RoleRevoked') AND "args"->>'role' = $1 AND "args"->>'account' = $2
              ORDER BY "block_number" DESC, "log_index" DESC LIMIT 1) AS "role"`,
    [role, who],
  );
  return row?.permit === true || row?.role === 'RoleGranted';
}

async function checkFunds(deps: RoleCheckDeps, from: Address, spender: Address, amount: bigint, what: string): Promise<void> {
  const balance = await balanceOf(deps.query, from);
  if (balance < amount) {
    throw new MutationError(ErrorCode.INSUFFICIENT_BALANCE, `${what} needs ${amount} wei of GRID; ${from} holds ${balance} (indexed)`, {
      extensions: { required: amount.toString(), available: balance.toString() },
    });
  }
  const allowance = await deps.chain.allowance(from, spender);
  if (allowance < amount) {
    throw new MutationError(
      ErrorCode.INSUFFICIENT_ALLOWANCE,
      `${what} needs an allowance of ${amount} wei to ${spender}; it is ${allowance}: approve it first (approveTokenTypedData + approveToken)`,
      { extensions: { required: amount.toString(), available: allowance.toString(), spender } },
    );
  }
}

/** Throws a MutationError when `from` may not make `call` by the indexed state; resolves otherwise. */
export async function checkRole(call: ActionCall, from: Address, deps: RoleCheckDeps): Promise<void> {
  const { query } = deps;
  switch (call.action) {
    case 'registerProvider': {
      if (await one(query, `SELECT 1 FROM "provider" WHERE "id" = $1`, [from])) throw wrongRole(`${from} is a registered provider already`);
      return;
    }
    case 'updateProvider': {
      if (!(await one(query, `SELECT 1 FROM "provider" WHERE "id" = $1`, [from]))) throw wrongRole(`${from} is not a registered provider`);
      return;
    }
    case 'submitJob': {
      if (!(await one(query, `SELECT 1 FROM "market" WHERE "market_id" = $1`, [call.marketId]))) {
        throw notFound(`market ${call.marketId} is not in the index`);
      }
      const payment = await deps.chain.quotePayment(call.marketId, call.workEstimate);
      await checkFunds(deps, from, deps.contracts.market, payment, `a job of ${call.workEstimate} work units on market ${call.marketId}`);
      return;
    }
    case 'cancelJob': {
      const j = await job(query, call.jobId);
      if (j.sender !== from) throw wrongRole(`only the sender of job ${call.jobId} (${j.sender}) may cancel it`);
      return;
    }
    case 'approveJob':
    case 'rejectJob': {
      const j = await job(query, call.jobId);
      if (j.sender !== from && !(await isMarketValidator(query, from, deps.validatorRole))) {
        throw wrongRole(`only the sender of job ${call.jobId} (${j.sender}) or a market validator may review it`);
      }
      return;
    }
    case 'claimJob': {
      const j = await job(query, call.jobId);
      const p = await one(query, `SELECT "tier", "vram_gb" AS "vramGb" FROM "provider" WHERE "id" = $1`, [from]);
      if (!p) throw wrongRole(`${from} is not a registered provider: register first (registerProvider)`);
      if ((p.tier as number) < j.tier) throw wrongRole(`provider tier ${p.tier} is below market ${j.marketId}'s tier ${j.tier}`);
      if (j.minVramGb !== null && (p.vramGb as number) < j.minVramGb) {
        throw wrongRole(`provider VRAM ${p.vramGb} GB is below market ${j.marketId}'s minimum ${j.minVramGb} GB`);
      }
      return;
    }
    case 'submitJobResult': {
      const j = await job(query, call.jobId);
      if (j.provider !== from) throw wrongRole(`only the provider that claimed job ${call.jobId} may submit its result`);
      return;
    }
    case 'addStake': {
      const n = await one(query, `SELECT 1 FROM "neuron" WHERE "netuid" = $1 AND "hotkey" = $2`, [call.netuid, call.hotkey]);
      if (!n) throw notFound(`hotkey ${call.hotkey} holds no uid on subnet ${call.netuid} in the index`);
      await checkFunds(deps, from, deps.contracts.registry, call.amount, `staking ${call.amount} wei`);
      return;
    }
    case 'removeStake': {
      const row = await one(query, `SELECT "amount"::text AS "amount" FROM "stake_position" WHERE "id" = $1`, [
        `${from}-${call.hotkey}-${call.netuid}`,
      ]);
      const staked = row ? BigInt(row.amount as string) : 0n;
      if (staked < call.amount) {
        throw new MutationError(
          ErrorCode.INSUFFICIENT_STAKE,
          `${from} has ${staked} wei staked on ${call.hotkey} in subnet ${call.netuid}, less than ${call.amount} (indexed)`,
          { extensions: { required: call.amount.toString(), available: staked.toString() } },
        );
      }
      return;
    }
    case 'setWeights': {
      const n = await one(query, `SELECT "uid", "validator_permit" AS "permit" FROM "neuron" WHERE "netuid" = $1 AND "hotkey" = $2`, [
        call.netuid,
        from,
      ]);
      if (!n) throw wrongRole(`${from} holds no uid on subnet ${call.netuid}`);
      if (!n.permit) throw wrongRole(`uid ${n.uid} on subnet ${call.netuid} holds no validator permit from the last epoch`);
      return;
    }
  }
}
