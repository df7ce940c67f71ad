import { randomBytes } from 'node:crypto';
import * as ComputeMarket from './abi/ComputeMarket';
import * as EpochLedger from './abi/EpochLedger';
import * as Forwarder from './abi/Forwarder';
import * as GridToken from './abi/GridToken';
import * as SubnetRegistry from './abi/SubnetRegistry';
import { fastDecoder } from './fast-decode';

type Param = { indexed?: boolean; isDynamic?: boolean };
type AbiEvent = Parameters<typeof fastDecoder>[0];
const EVENTS = Object.entries({ ComputeMarket, EpochLedger, Forwarder, GridToken, SubnetRegistry }).flatMap(([c, m]) =>
  Object.entries(m.events).map(([name, e]) => ({ name: `${c}.${name}`, event: e as unknown as AbiEvent })),
);

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const zeros = (bytes: number) => '00'.repeat(bytes);

/** A well-formed word of the type, sometimes at the edges (zero, all ones). */
function word(type: string, i: number): string {
  const edge = i % 5;
  const u = /^uint(\d+)$/.exec(type);
  if (u) {
    const bytes = Number(u[1]) / 8;
    return zeros(32 - bytes) + (edge === 0 ? zeros(bytes) : edge === 1 ? 'ff'.repeat(bytes) : hex(bytes));
  }
  if (type === 'bool') return zeros(31) + (i % 2 ? '01' : '00');
  if (type === 'address') return zeros(12) + (edge === 0 ? zeros(20) : hex(20));
  const b = /^bytes(\d+)$/.exec(type);
  if (b) return hex(Number(b[1])) + zeros(32 - Number(b[1]));
  throw new Error(`${type} is not a type the fast decoder handles`);
}

function record(event: AbiEvent, i: number): { topics: string[]; data: string } {
  const types = /\((.*)\)/.exec(event.signature)![1]!.split(',');
  const topics = [event.topic];
  let data = '0x';
  for (const [k, p] of (Object.values(event.params) as Param[]).entries()) {
    const w = word(types[k]!, i);
    if (p.indexed) topics.push(`0x${w}`);
    else data += w;
  }
  return { topics, data };
}

describe('fast event decoder', () => {
  const fast = EVENTS.map((e) => ({ ...e, decode: fastDecoder(e.event) }));

  it('covers the high-volume events and leaves dynamic ones to evm-abi', () => {
    const covered = fast.filter((e) => e.decode).map((e) => e.name);
    expect(covered).toEqual(expect.arrayContaining(['EpochLedger.NeuronEpoch', 'EpochLedger.EpochFinalized', 'GridToken.Transfer']));
    // SubnetRegistered has a string name; WeightsSet has arrays.
    expect(covered).not.toContain('SubnetRegistry.SubnetRegistered');
    expect(covered).not.toContain('SubnetRegistry.WeightsSet');
  });

  it('decodes every covered event exactly as evm-abi does', () => {
    let checked = 0;
    for (const e of fast) {
      if (!e.decode) continue;
      for (let i = 0; i < 40; i++) {
        const rec = record(e.event, i);
        expect({ name: e.name, args: e.decode(rec) }).toEqual({ name: e.name, args: e.event.decode(rec) });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('matches evm-abi on uppercase hex and on an address word with high bytes set', () => {
    const transfer = fastDecoder(GridToken.events.Transfer as unknown as AbiEvent)!;
    const rec = {
      topics: [GridToken.events.Transfer.topic, `0x${'ab'.repeat(32)}`, `0x${zeros(12)}${'CD'.repeat(20)}`],
      data: `0x${'0F'.repeat(32)}`,
    };
    expect(transfer(rec)).toEqual(GridToken.events.Transfer.decode(rec));
  });

  it('lets evm-abi report a malformed log', () => {
    const transfer = fastDecoder(GridToken.events.Transfer as unknown as AbiEvent)!;
    const rec = { topics: [GridToken.events.Transfer.topic, `0x${zeros(32)}`], data: `0x${zeros(32)}` };
    expect(() => transfer(rec)).toThrow();
  });
});
