// Epoch results: the EpochLedger's events, as the keeper posted them (Yuma outputs and emission).
import { NeuronEpoch, SubnetEpoch } from '../../schema';
import type { events } from '../abi/EpochLedger';
import type { Block, Log, ProcessorContext } from '../processor';
import type { BatchState } from '../state';
import type { DecodedLog } from './events';
import { type EventMeta, eventMeta } from './meta';

type Decoded<K extends keyof typeof events> = ReturnType<(typeof events)[K]['decode']>;

/** EpochFinalized's own `block` (the epoch's block) is renamed epochBlock: `block` is where the log is. */
export type LedgerEvent = EventMeta &
  (
    | ({ event: 'EpochFinalized'; epochBlock: bigint } & Omit<Decoded<'EpochFinalized'>, 'block'>)
    | ({ event: 'NeuronEpoch' } & Decoded<'NeuronEpoch'>)
  );

export function decodeLedger(d: DecodedLog, block: Block, log: Log): LedgerEvent | undefined {
  if (d.contract !== 'ledger') return undefined;
  if (d.name === 'EpochFinalized') {
    const { block: epochBlock, ...rest } = d.args as Decoded<'EpochFinalized'>;
    return { event: d.name, ...rest, ...eventMeta(block, log), epochBlock };
  }
  if (d.name === 'NeuronEpoch') return { event: d.name, ...eventMeta(block, log), ...(d.args as Decoded<'NeuronEpoch'>) };
  return undefined;
}

export async function prefetchLedger(ctx: ProcessorContext, state: BatchState, evs: LedgerEvent[]): Promise<void> {
  if (evs.length === 0) return;
  await state.subnets.load(
    ctx.store,
    evs.map((e) => String(e.netuid)),
  );
  await state.subnetEpochs.load(
    ctx.store,
    evs.map((e) => `${e.netuid}-${e.epoch}`),
  );
  await state.neurons.load(
    ctx.store,
    evs.flatMap((e) => (e.event === 'NeuronEpoch' ? [`${e.netuid}-${e.uid}`] : [])),
  );
}

export function applyLedger(state: BatchState, e: LedgerEvent): void {
  const epochId = `${e.netuid}-${e.epoch}`;
  const subnet = state.subnets.require(String(e.netuid), 'subnet');
  // Either event may come first in the posting transaction: whichever does creates the epoch row.
  const epoch =
    state.subnetEpochs.get(epochId) ??
    new SubnetEpoch({
      id: epochId,
      subnet,
      netuid: e.netuid,
      epoch: Number(e.epoch),
      block: 0,
      inputsHash: '',
      emission: 0n,
      ownerCut: 0n,
      neuronCount: 0,
      postedAtBlock: e.block,
      timestamp: e.timestamp,
    });
  if (e.event === 'EpochFinalized') {
    epoch.block = Number(e.epochBlock);
    epoch.inputsHash = e.inputsHash;
    epoch.emission = e.emission;
    epoch.ownerCut = e.ownerCut;
    subnet.epochCount += 1;
    subnet.lastEpochBlock = epoch.block;
    subnet.totalEmission += e.emission;
    subnet.lastEpochEmission = e.emission;
    subnet.updatedAtBlock = e.block;
    state.subnets.put(subnet);
    state.subnetEpochs.put(epoch);
    return;
  }
  epoch.neuronCount += 1;
  state.subnetEpochs.put(epoch);
  const neuron = state.neurons.get(`${e.netuid}-${e.uid}`);
  state.neuronEpochs.push(
    new NeuronEpoch({
      id: `${epochId}-${e.uid}`,
      subnetEpoch: epoch,
      netuid: e.netuid,
      epoch: Number(e.epoch),
      uid: e.uid,
      hotkey: neuron?.hotkey ?? '',
      stakeWeight: e.stakeWeight,
      consensus: e.consensus,
      incentive: e.incentive,
      dividends: e.dividends,
      validatorTrust: e.validatorTrust,
      rank: e.rank,
      trust: e.trust,
      emission: e.emission,
      validatorPermit: e.validatorPermit,
      block: e.block,
    }),
  );
  if (neuron) {
    Object.assign(neuron, {
      stakeWeight: e.stakeWeight,
      consensus: e.consensus,
      incentive: e.incentive,
      dividends: e.dividends,
      validatorTrust: e.validatorTrust,
      rank: e.rank,
      trust: e.trust,
      validatorPermit: e.validatorPermit,
      lastEmission: e.emission,
      totalEmission: neuron.totalEmission + e.emission,
      updatedAtBlock: e.block,
    });
    state.putNeuron(neuron);
  }
}
