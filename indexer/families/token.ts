// The network token: balances per account and the supply per day and per market epoch, from
// Transfer events (a mint is a transfer from address zero, a burn one to address zero).
import { Account, type Market, TokenSupplyDay, TokenSupplyEpoch } from '../../schema';
import type { events } from '../abi/GridToken';
import { storeEm } from '../batch';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import type { DecodedLog } from './events';
import { type EventMeta, eventMeta } from './meta';

const ZERO = '0x0000000000000000000000000000000000000000';

export type TokenEvent = EventMeta & { event: 'Transfer'; from: string; to: string; value: bigint };

export function decodeToken(d: DecodedLog, block: Block, log: Log): TokenEvent | undefined {
  if (d.contract !== 'token' || d.name !== 'Transfer') return undefined;
  const { from, to, value } = d.args as ReturnType<typeof events.Transfer.decode>;
  return { event: 'Transfer', ...eventMeta(block, log), from: from.toLowerCase(), to: to.toLowerCase(), value };
}

export async function prefetchToken(ctx: ProcessorContext, state: BatchState, evs: TokenEvent[]): Promise<void> {
  if (evs.length === 0) return;
  const addresses = new Set<string>();
  for (const e of evs) {
    if (e.from !== ZERO) addresses.add(e.from);
    if (e.to !== ZERO) addresses.add(e.to);
  }
  await state.accounts.load(ctx.store, addresses);
  if (evs.some((e) => e.from === ZERO || e.to === ZERO)) await prefetchSupply(ctx, state);
}

/**
 * Once per batch, for a batch that mints, burns, or opens or closes a market epoch: the supply so far
 * (the newest day's row, one query) and the open supply epoch of every market (one row per market).
 */
export async function prefetchSupply(ctx: ProcessorContext, state: BatchState): Promise<void> {
  if (state.supplyLoaded) return;
  state.supplyLoaded = true;
  const [latest] = await ctx.store.find(TokenSupplyDay, { order: { day: 'DESC' }, take: 1 });
  if (latest) state.supplyDays.prime([latest]);
  state.supply = latest?.supply ?? 0n;
  const open: { id: string }[] = await storeEm(ctx.store).query('SELECT "id" FROM "token_supply_epoch" WHERE "closed" = false');
  await state.supplyEpochs.load(
    ctx.store,
    open.map((r) => r.id),
  );
  for (const { id } of open) {
    const row = state.supplyEpochs.require(id, 'token supply epoch');
    state.openSupplyEpochs.set(row.market.id, row);
  }
}

export function dayId(t: Date): string {
  return t.toISOString().slice(0, 10);
}

export function applyToken(state: BatchState, e: TokenEvent): void {
  if (e.from !== ZERO) {
    const a = account(state, e.from, e.block);
    a.balance -= e.value;
    a.transfersOut += 1;
    if (e.to === ZERO) a.burned += e.value;
  }
  if (e.to !== ZERO) {
    const a = account(state, e.to, e.block);
    a.balance += e.value;
    a.transfersIn += 1;
    if (e.from === ZERO) a.minted += e.value;
  }
  if (e.from === ZERO || e.to === ZERO) {
    const id = dayId(e.timestamp);
    const day =
      state.supplyDays.get(id) ??
      new TokenSupplyDay({ id, day: new Date(`${id}T00:00:00Z`), minted: 0n, burned: 0n, supply: state.supply, updatedAtBlock: e.block });
    if (e.from === ZERO) {
      day.minted += e.value;
      state.supply += e.value;
    } else {
      day.burned += e.value;
      state.supply -= e.value;
    }
    day.supply = state.supply;
    day.updatedAtBlock = e.block;
    state.supplyDays.put(day);
    // Every market's open epoch holds this mint or burn: each market has its own epoch clock.
    for (const ep of state.openSupplyEpochs.values()) {
      if (e.from === ZERO) ep.minted += e.value;
      else ep.burned += e.value;
      ep.supply = state.supply;
      ep.block = e.block;
      ep.timestamp = e.timestamp;
      state.supplyEpochs.put(ep);
    }
  }
}

/**
 * A market's epoch opened (its creation, or the close of the one before, ComputeMarket's
 * _closeEpoch): from here on its mints and burns count toward this row. The caller has closed the
 * one before (closeSupplyEpoch).
 */
export function openSupplyEpoch(state: BatchState, market: Market, epoch: number, e: EventMeta): TokenSupplyEpoch {
  const row = new TokenSupplyEpoch({
    id: `${market.id}-${epoch}`,
    market,
    epoch,
    closed: false,
    startBlock: e.block,
    minted: 0n,
    burned: 0n,
    supply: state.supply,
    block: e.block,
    timestamp: e.timestamp,
  });
  state.openSupplyEpochs.set(market.id, row);
  return state.supplyEpochs.put(row);
}

/** The market's open epoch closed at its MarketEpochClosed log: its figures are final. */
export function closeSupplyEpoch(state: BatchState, marketId: string, epoch: number, e: EventMeta): void {
  const row = state.openSupplyEpochs.get(marketId);
  if (!row || row.epoch !== epoch) throw new Error(`token supply epoch ${marketId}-${epoch} is not the open one (${row?.id ?? 'none'})`);
  Object.assign(row, { closed: true, block: e.block, timestamp: e.timestamp });
  state.openSupplyEpochs.delete(marketId);
  state.supplyEpochs.put(row);
}

function account(state: BatchState, address: string, block: number): Account {
  const a =
    state.accounts.get(address) ??
    new Account({
      id: address,
      balance: 0n,
      minted: 0n,
      burned: 0n,
      transfersIn: 0,
      transfersOut: 0,
      firstSeenBlock: block,
      updatedAtBlock: block,
    });
  a.updatedAtBlock = block;
  return state.accounts.put(a);
}
