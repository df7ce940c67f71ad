// Subnets, neurons, stake and weights: the SubnetRegistry's events.
import { Neuron, StakeEvent, StakeEventKind, StakePosition, Subnet, Weights } from '../../schema';
import type { events } from '../abi/SubnetRegistry';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import type { DecodedLog } from './events';
import { type EventMeta, eventMeta } from './meta';

type Decoded<K extends keyof typeof events> = ReturnType<(typeof events)[K]['decode']>;
type Handled =
  | 'SubnetRegistered'
  | 'HyperparametersSet'
  | 'NeuronRegistered'
  | 'NeuronReplaced'
  | 'StakeAdded'
  | 'StakeRemoved'
  | 'WeightsSet'
  | 'ComputeSubnetSet';
const HANDLED: Handled[] = [
  'SubnetRegistered',
  'HyperparametersSet',
  'NeuronRegistered',
  'NeuronReplaced',
  'StakeAdded',
  'StakeRemoved',
  'WeightsSet',
  'ComputeSubnetSet',
];
const HANDLED_NAMES = new Set<string>(HANDLED);

export type RegistryEvent = EventMeta & { [K in Handled]: { event: K } & Decoded<K> }[Handled];
export type Hyperparameters = Decoded<'HyperparametersSet'>['hyperparameters'];

export function decodeRegistry(d: DecodedLog, block: Block, log: Log): RegistryEvent | undefined {
  if (d.contract !== 'registry' || !HANDLED_NAMES.has(d.name)) return undefined;
  // The union above is exactly what each event's decoder returned for its own name.
  return { event: d.name, ...eventMeta(block, log), ...d.args } as RegistryEvent;
}

/** One query per entity type for everything these events touch. */
export async function prefetchRegistry(ctx: ProcessorContext, state: BatchState, evs: RegistryEvent[]): Promise<void> {
  const netuids = new Set<string>();
  const positions = new Set<string>();
  const slots = new Set<string>();
  const hotkeys: { netuid: number; hotkey: string }[] = [];
  for (const e of evs) {
    netuids.add(String(e.netuid));
    if (e.event === 'StakeAdded' || e.event === 'StakeRemoved') {
      positions.add(positionId(e.coldkey, e.hotkey, e.netuid));
      hotkeys.push({ netuid: e.netuid, hotkey: e.hotkey.toLowerCase() });
    }
    if (e.event === 'WeightsSet' || e.event === 'NeuronReplaced') slots.add(`${e.netuid}-${e.uid}`);
  }
  if (evs.some((e) => e.event === 'ComputeSubnetSet')) {
    // The previous compute subnet loses the flag.
    state.subnets.prime(await ctx.store.findBy(Subnet, { isCompute: true }));
  }
  await state.subnets.load(ctx.store, netuids);
  await state.positions.load(ctx.store, positions);
  await state.neurons.load(ctx.store, slots);
  await state.loadNeuronsByHotkey(ctx.store, hotkeys);
}

export function applyRegistry(state: BatchState, e: RegistryEvent): void {
  switch (e.event) {
    case 'SubnetRegistered': {
      const subnet = new Subnet({
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
        isCompute: false,
        epochCount: 0,
        lastEpochBlock: null,
        totalEmission: 0n,
        lastEpochEmission: null,
      });
      const pending = state.pendingHyperparameters.get(subnet.id);
      if (pending) setHyperparameters(subnet, pending);
      state.subnets.put(subnet);
      return;
    }
    case 'HyperparametersSet': {
      const subnet = state.subnets.get(String(e.netuid));
      // Announced before SubnetRegistered in the same transaction: applied when that comes.
      if (!subnet) state.pendingHyperparameters.set(String(e.netuid), e.hyperparameters);
      else {
        setHyperparameters(subnet, e.hyperparameters);
        subnet.updatedAtBlock = e.block;
        state.subnets.put(subnet);
      }
      return;
    }
    case 'ComputeSubnetSet': {
      for (const s of [...state.subnets.values()]) {
        if (s.isCompute && s.netuid !== e.netuid) state.subnets.put(Object.assign(s, { isCompute: false, updatedAtBlock: e.block }));
      }
      const subnet = state.subnets.require(String(e.netuid), 'subnet');
      state.subnets.put(Object.assign(subnet, { isCompute: true, updatedAtBlock: e.block }));
      return;
    }
    case 'NeuronReplaced': {
      // The slot goes to a new hotkey (NeuronRegistered follows): the old one leaves, with its weights.
      const subnet = state.subnets.require(String(e.netuid), 'subnet');
      subnet.neuronCount -= 1;
      state.subnets.put(subnet);
      state.forgetHotkey(e.netuid, e.oldHotkey.toLowerCase());
      state.weights.remove(`${e.netuid}-${e.uid}`);
      return;
    }
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
          lastUpdateBlock: null,
          validatorPermit: false,
          stakeWeight: null,
          consensus: null,
          incentive: null,
          dividends: null,
          validatorTrust: null,
          rank: null,
          trust: null,
          lastEmission: null,
          totalEmission: 0n,
        }),
      );
      return;
    }
    case 'WeightsSet': {
      const subnet = state.subnets.require(String(e.netuid), 'subnet');
      const neuron = state.neurons.require(`${e.netuid}-${e.uid}`, 'neuron');
      neuron.lastUpdateBlock = e.block;
      neuron.updatedAtBlock = e.block;
      state.putNeuron(neuron);
      state.weights.put(
        new Weights({
          id: neuron.id,
          subnet,
          netuid: e.netuid,
          uid: e.uid,
          hotkey: neuron.hotkey,
          uids: [...e.uids],
          values: [...e.values],
          block: e.block,
          timestamp: e.timestamp,
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
      // A replaced hotkey is no neuron any more, but its stakers can still take their stake back.
      const neuron = state.neuronByKey(e.netuid, hotkey);
      if (neuron) {
        neuron.stake = e.hotkeyStake;
        neuron.updatedAtBlock = e.block;
        state.putNeuron(neuron);
      } else if (e.event === 'StakeAdded') {
        throw new Error(`stake event ${e.id} adds stake to hotkey ${hotkey}, not a neuron of subnet ${e.netuid}`);
      }
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

function setHyperparameters(s: Subnet, h: Hyperparameters): void {
  s.tempo = h.tempo;
  s.maxUids = h.maxUids;
  s.maxAllowedValidators = h.maxAllowedValidators;
  s.kappa = h.kappa;
  s.bondsMovingAverage = h.bondsMovingAverage;
  s.bondsPenalty = h.bondsPenalty;
  s.yuma3 = h.yuma3;
  s.liquidAlpha = h.liquidAlpha;
  s.alphaLow = h.alphaLow;
  s.alphaHigh = h.alphaHigh;
  s.alphaSigmoidSteepness = h.alphaSigmoidSteepness;
  s.activityCutoff = h.activityCutoff;
  s.immunityPeriod = h.immunityPeriod;
  s.weightsRateLimit = h.weightsRateLimit;
  s.stakeThreshold = h.stakeThreshold;
}

export function positionId(coldkey: string, hotkey: string, netuid: number): string {
  return `${coldkey.toLowerCase()}-${hotkey.toLowerCase()}-${netuid}`;
}
