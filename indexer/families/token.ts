// The network token: balances per account and the supply per day, from Transfer events
// (a mint is a transfer from address zero, a burn one to address zero).
import { Account, TokenSupplyDay } from '../../schema';
import type { events } from '../abi/GridToken';
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
  if (evs.some((e) => e.from === ZERO || e.to === ZERO)) {
    // The supply so far: the newest day's row (one query).
    const [latest] = await ctx.store.find(TokenSupplyDay, { order: { day: 'DESC' }, take: 1 });
    if (latest) state.supplyDays.prime([latest]);
    state.supply = latest?.supply ?? 0n;
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
  }
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
