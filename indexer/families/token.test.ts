import { BatchState } from '../state';
import { toJson } from './events';
import type { EventMeta } from './meta';
import { applyToken, type TokenEvent } from './token';

const ZERO = '0x0000000000000000000000000000000000000000';
const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';
let n = 0;
const at = (block: number, iso: string): EventMeta => ({ id: `l${n++}`, block, timestamp: new Date(iso), txHash: '0x' });
const transfer = (m: EventMeta, from: string, to: string, value: bigint): TokenEvent => ({ event: 'Transfer', ...m, from, to, value });

describe('token family', () => {
  it('keeps balances, mints and burns per account, and the supply per day', () => {
    const s = new BatchState();
    s.supply = 1000n; // what earlier batches left
    for (const e of [
      transfer(at(1, '2026-01-01T10:00:00Z'), ZERO, A, 500n),
      transfer(at(2, '2026-01-01T11:00:00Z'), A, B, 200n),
      transfer(at(3, '2026-01-02T09:00:00Z'), B, ZERO, 50n),
      transfer(at(4, '2026-01-02T10:00:00Z'), ZERO, B, 7n),
    ])
      applyToken(s, e);
    const a = s.accounts.require(A, 'account');
    const b = s.accounts.require(B, 'account');
    expect([a.balance, a.minted, a.burned, a.transfersIn, a.transfersOut]).toEqual([300n, 500n, 0n, 1, 1]);
    expect([b.balance, b.minted, b.burned, b.transfersIn, b.transfersOut]).toEqual([157n, 7n, 50n, 2, 1]);
    const d1 = s.supplyDays.require('2026-01-01', 'day');
    const d2 = s.supplyDays.require('2026-01-02', 'day');
    expect([d1.minted, d1.burned, d1.supply]).toEqual([500n, 0n, 1500n]);
    expect([d2.minted, d2.burned, d2.supply]).toEqual([7n, 50n, 1457n]);
    expect(s.supply).toBe(1457n);
  });

  it('turns decoded arguments into JSON-safe values', () => {
    expect(toJson({ amount: 2n ** 70n, who: '0xABCdef', list: [1n, { x: 'Name' }], ok: true })).toEqual({
      amount: '1180591620717411303424',
      who: '0xabcdef',
      list: ['1', { x: 'Name' }],
      ok: true,
    });
  });
});
