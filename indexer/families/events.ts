// Every log of the protocol's contracts, decoded by its ABI into a ChainEvent row: the audit trail.
import { ChainEvent } from '../../schema';
import * as ComputeMarket from '../abi/ComputeMarket';
import * as EpochLedger from '../abi/EpochLedger';
import * as Forwarder from '../abi/Forwarder';
import * as GridToken from '../abi/GridToken';
import * as SubnetRegistry from '../abi/SubnetRegistry';
import type { Block, Log } from '../processor';
import type { BatchState } from '../state';

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
  byAddress: Map<string, { contract: string; topics: Map<string, { name: string; decoder: EventDecoder }> }>;
}

export function buildEventDecoders(contracts: Record<string, string>): EventDecoders {
  const byAddress: EventDecoders['byAddress'] = new Map();
  for (const [contract, address] of Object.entries(contracts)) {
    const abi = ABIS[contract];
    if (!abi) continue;
    const topics = new Map(Object.entries(abi).map(([name, decoder]) => [decoder.topic, { name, decoder }]));
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
  return { contract: c.contract, name: ev.name, args: ev.decoder.decode(log) };
}

export function toChainEvent(d: DecodedLog, block: Block, log: Log): ChainEvent {
  return new ChainEvent({
    id: log.id,
    contract: d.contract,
    address: log.address,
    name: d.name,
    blockNumber: block.height,
    timestamp: new Date(block.timestamp),
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    args: toJson(d.args),
  });
}

/** JSON-safe: bigints as decimal strings, addresses and hashes lowercase. */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

export function applyChainEvent(state: BatchState, e: ChainEvent): void {
  state.chainEvents.push(e);
}
