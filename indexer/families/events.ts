// Every log of the protocol's contracts, decoded by its ABI into a ChainEvent row: the audit trail.
import { ChainEvent } from '../../schema';
import * as ComputeMarket from '../abi/ComputeMarket';
import * as EpochLedger from '../abi/EpochLedger';
import * as Forwarder from '../abi/Forwarder';
import * as GridToken from '../abi/GridToken';
import * as SubnetRegistry from '../abi/SubnetRegistry';
import { fastDecoder } from '../fast-decode';
import type { Block, Log } from '../processor';
import type { BatchState } from '../state';
import { blockTime } from './meta';

interface EventDecoder {
  topic: string;
  decode(log: Log): Record<string, unknown>;
}

/** The deployment's contract keys and the ABI each is decoded with. */
const ABIS: Record<string, Record<string, EventDecoder>> = {
  token: GridToken.events,
  forwarder: Forwarder.events,
  registry: SubnetRegistry.events,
  ledger: EpochLedger.events,
  market: ComputeMarket.events,
};

export interface EventDecoders {
  /** address (lowercase) → topic0 → decoder */
  byAddress: Map<string, { contract: string; topics: Map<string, { name: string; decode: EventDecoder['decode'] }> }>;
}

export function buildEventDecoders(contracts: Record<string, string>): EventDecoders {
  const byAddress: EventDecoders['byAddress'] = new Map();
  for (const [contract, address] of Object.entries(contracts)) {
    const abi = ABIS[contract];
    if (!abi) continue;
    const topics = new Map(
      Object.entries(abi).map(([name, decoder]) => {
        // biome-ignore lint/suspicious/noExplicitAny: evm-abi's AbiEvent, whose params the fast decoder reads
        const decode = fastDecoder(decoder as any) ?? ((log: Log) => decoder.decode(log));
        return [decoder.topic, { name, decode }];
      }),
    );
    byAddress.set(address.toLowerCase(), { contract, topics });
  }
  return { byAddress };
}

/** A log of one of our contracts, decoded once by its ABI; the families read `args` from here. */
export interface DecodedLog {
  /** the deployment's role of the contract: token, forwarder, registry, ledger, market */
  contract: string;
  name: string;
  args: Record<string, unknown>;
}

/** Decodes the log, or undefined when it is not one of our contracts' known events. */
export function decodeLog(decoders: EventDecoders, log: Log): DecodedLog | undefined {
  const c = decoders.byAddress.get(log.address);
  const ev = c?.topics.get(log.topics[0]);
  if (!c || !ev) return undefined;
  return { contract: c.contract, name: ev.name, args: ev.decode(log) };
}

export function toChainEvent(d: DecodedLog, block: Block, log: Log): ChainEvent {
  return new ChainEvent({
    id: log.id,
    contract: d.contract,
    address: log.address,
    name: d.name,
    blockNumber: block.height,
    timestamp: blockTime(block),
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    netuid: netuidOf(d.args),
    args: toJson(d.args),
  });
}

/** The subnet an event names, kept in its own column (chain_event.netuid) so queries need not read args. */
function netuidOf(args: Record<string, unknown>): number | null {
  const n = args.netuid;
  return typeof n === 'number' ? n : typeof n === 'bigint' ? Number(n) : null;
}

const HEX = /^0x[0-9a-fA-F]*$/;

/** JSON-safe: bigints as decimal strings, addresses and hashes lowercase. */
export function toJson(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
      return value.charCodeAt(1) === 120 && HEX.test(value) ? value.toLowerCase() : value;
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) return value.map(toJson);
      // A loop, not entries/fromEntries: this runs for every event's arguments.
      const out: Record<string, unknown> = {};
      const o = value as Record<string, unknown>;
      for (const k in o) out[k] = toJson(o[k]);
      return out;
    }
    default:
      return value;
  }
}

export function applyChainEvent(state: BatchState, e: ChainEvent): void {
  state.chainEvents.push(e);
}
