// Subnets, neurons and stake: the SubnetRegistry's events.
import { Neuron, StakeEvent, StakeEventKind, StakePosition, Subnet } from '../../schema';
import { events } from '../abi/SubnetRegistry';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import { type EventMeta, eventMeta } from './meta';

export type RegistryEvent = EventMeta &
  (
    | ({ event: 'SubnetRegistered' } & ReturnType<typeof events.SubnetRegistered.decode>)
    | ({ event: 'NeuronRegistered' } & ReturnType<typeof events.NeuronRegistered.decode>)
    | ({ event: 'StakeAdded' } & ReturnType<typeof events.StakeAdded.decode>)
    | ({ event: 'StakeRemoved' } & ReturnType<typeof events.StakeRemoved.decode>)
  );

type Handled = 'SubnetRegistered' | 'NeuronRegistered' | 'StakeAdded' | 'StakeRemoved';
const HANDLED: Handled[] = ['SubnetRegistered', 'NeuronRegistered', 'StakeAdded', 'StakeRemoved'];
const TOPICS = Object.fromEntries(HANDLED.map((name) => [events[name].topic, name])) as Record<string, Handled>;

export function decodeRegistry(address: string, block: Block, log: Log): RegistryEvent | undefined {
  if (log.address !== address.toLowerCase()) return undefined;
  const kind = TOPICS[log.topics[0]];
  if (!kind) return undefined;
  // The union above is exactly what each decoder returns for its own kind.
  return { event: kind, ...eventMeta(block, log), ...events[kind].decode(log) } as RegistryEvent;
}

/** One query per entity type for everything these events touch. */
export async function prefetchRegistry(ctx: ProcessorContext, state: BatchState, evs: RegistryEvent[]): Promise<void> {
  const netuids = new Set<string>();
  const positions = new Set<string>();
  const hotkeys: { netuid: number; hotkey: string }[] = [];
  for (const e of evs) {
    netuids.add(String(e.netuid));
    if (e.event === 'StakeAdded' || e.event === 'StakeRemoved') {
      positions.add(positionId(e.coldkey, e.hotkey, e.netuid));
      hotkeys.push({ netuid: e.netuid, hotkey: e.hotkey.toLowerCase() });
    }
  }
  await state.subnets.load(ctx.store, netuids);
  await state.positions.load(ctx.store, positions);
  await state.loadNeuronsByHotkey(ctx.store, hotkeys);
}

export function applyRegistry(state: BatchState, e: RegistryEvent): void {
  switch (e.event) {
    case 'SubnetRegistered':
      state.subnets.put(
        new Subnet({
          id: String(e.netuid),
          netuid: e.netuid,
          name: e.name,
          owner: e.owner.toLowerCase(),
          tempo: e.tempo,
          registrationCost: e.registrationCost,
          neuronCount: 0,
          totalStake: 0n,
          createdAtBlock: e.block,
          createdAt: e.timestamp,
          updatedAtBlock: e.block,
        }),
      );
      return;
    case 'NeuronRegistered': {
      const subnet = state.subnets.require(String(e.netuid), 'subnet');
      subnet.neuronCount += 1;
      subnet.updatedAtBlock = e.block;
      state.subnets.put(subnet);
      state.putNeuron(
        new Neuron({
          id: `${e.netuid}-${e.uid}`,
          subnet,
          netuid: e.netuid,
          uid: e.uid,
          hotkey: e.hotkey.toLowerCase(),
          coldkey: e.coldkey.toLowerCase(),
          stake: 0n,
          registeredAtBlock: e.block,
          registeredAt: e.timestamp,
          updatedAtBlock: e.block,
        }),
      );
      return;
    }
    case 'StakeAdded':
    case 'StakeRemoved': {
      const coldkey = e.coldkey.toLowerCase();
      const hotkey = e.hotkey.toLowerCase();
      // The event carries the totals after the change, so indexing never does read-modify-write on them.
      const subnet = state.subnets.require(String(e.netuid), 'subnet');
      subnet.totalStake = e.subnetStake;
      subnet.updatedAtBlock = e.block;
      state.subnets.put(subnet);
      const neuron = state.neuronByKey(e.netuid, hotkey);
      if (!neuron) throw new Error(`stake event ${e.id} names hotkey ${hotkey}, not a neuron of subnet ${e.netuid}`);
      neuron.stake = e.hotkeyStake;
      neuron.updatedAtBlock = e.block;
      state.putNeuron(neuron);
      state.positions.put(
        new StakePosition({
          id: positionId(coldkey, hotkey, e.netuid),
          coldkey,
          hotkey,
          netuid: e.netuid,
          subnet,
          amount: e.newStake,
          updatedAtBlock: e.block,
          updatedAt: e.timestamp,
        }),
      );
      state.stakeEvents.push(
        new StakeEvent({
          id: e.id,
          kind: e.event === 'StakeAdded' ? StakeEventKind.ADD : StakeEventKind.REMOVE,
          coldkey,
          hotkey,
          netuid: e.netuid,
          amount: e.amount,
          newAmount: e.newStake,
          blockNumber: e.block,
          timestamp: e.timestamp,
          txHash: e.txHash,
        }),
      );
      return;
    }
  }
}

export function positionId(coldkey: string, hotkey: string, netuid: number): string {
  return `${coldkey.toLowerCase()}-${hotkey.toLowerCase()}-${netuid}`;
}
