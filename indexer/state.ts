// The entities one batch reads and writes, shared by the handler families.
import type { Store } from '@subsquid/typeorm-store';
import {
  Account,
  type ChainEvent,
  Job,
  type JobEvent,
  Market,
  MarketEpoch,
  MarketStat,
  Neuron,
  type NeuronEpoch,
  Provider,
  ProviderEpoch,
  type StakeEvent,
  StakePosition,
  Subnet,
  SubnetEpoch,
  TokenSupplyDay,
  TokenSupplyEpoch,
  Weights,
} from '../schema';
import { EntityCache, EventRows } from './batch';
import type { Hyperparameters } from './families/registry';

/** Entity name → ids written in a batch. */
export type Changes = Record<string, string[]>;

export class BatchState {
  readonly subnets = new EntityCache(Subnet);
  readonly neurons = new EntityCache(Neuron);
  readonly positions = new EntityCache(StakePosition);
  readonly weights = new EntityCache(Weights);
  readonly subnetEpochs = new EntityCache(SubnetEpoch);
  readonly markets = new EntityCache(Market);
  readonly marketEpochs = new EntityCache(MarketEpoch);
  readonly marketStats = new EntityCache(MarketStat);
  readonly providers = new EntityCache(Provider);
  readonly providerEpochs = new EntityCache(ProviderEpoch);
  readonly jobs = new EntityCache(Job);
  readonly accounts = new EntityCache(Account);
  readonly supplyDays = new EntityCache(TokenSupplyDay);
  readonly supplyEpochs = new EntityCache(TokenSupplyEpoch);
  readonly stakeEvents = new EventRows<StakeEvent>();
  readonly jobEvents = new EventRows<JobEvent>();
  readonly neuronEpochs = new EventRows<NeuronEpoch>();
  readonly chainEvents = new EventRows<ChainEvent>();
  /** Hyperparameters announced before their SubnetRegistered (same transaction). */
  readonly pendingHyperparameters = new Map<string, Hyperparameters>();
  /** Token supply after the events applied so far (loaded by the token family when needed). */
  supply = 0n;
  /** Whether `supply` and `openSupplyEpochs` were loaded for this batch (token.ts prefetchSupply). */
  supplyLoaded = false;
  /** market id → its open TokenSupplyEpoch, which every mint and burn changes. */
  readonly openSupplyEpochs = new Map<string, TokenSupplyEpoch>();
  /** netuid-hotkey → neuron id, for events that name a neuron by hotkey. */
  private readonly neuronByHotkey = new Map<string, string>();

  /** Loads neurons by (netuid, hotkey): one query. */
  async loadNeuronsByHotkey(store: Store, keys: Iterable<{ netuid: number; hotkey: string }>): Promise<void> {
    const wanted = [...keys].filter((k) => !this.neuronByHotkey.has(hotkeyKey(k.netuid, k.hotkey)));
    if (wanted.length === 0) return;
    const rows = await this.neurons.loadBy(store, 'hotkey', [...new Set(wanted.map((k) => k.hotkey))]);
    this.neurons.prime(rows);
    for (const n of rows) this.neuronByHotkey.set(hotkeyKey(n.netuid, n.hotkey), n.id);
  }

  /** The current neuron of this hotkey on this subnet (none once it was replaced). */
  neuronByKey(netuid: number, hotkey: string): Neuron | undefined {
    const id = this.neuronByHotkey.get(hotkeyKey(netuid, hotkey));
    const n = id === undefined ? undefined : this.neurons.get(id);
    return n?.hotkey === hotkey ? n : undefined;
  }

  putNeuron(n: Neuron): void {
    this.neurons.put(n);
    this.neuronByHotkey.set(hotkeyKey(n.netuid, n.hotkey), n.id);
  }

  forgetHotkey(netuid: number, hotkey: string): void {
    this.neuronByHotkey.delete(hotkeyKey(netuid, hotkey));
  }

  /** Writes everything, parents before the rows that refer to them. Returns the ids written per entity. */
  async flush(store: Store): Promise<Changes> {
    const changes: Changes = {};
    const record = (name: string, ids: string[]) => {
      if (ids.length) changes[name] = ids;
    };
    record('Subnet', await this.subnets.flush(store));
    record('Market', await this.markets.flush(store));
    record('Provider', await this.providers.flush(store));
    record('Neuron', await this.neurons.flush(store));
    record('StakePosition', await this.positions.flush(store));
    record('Weights', await this.weights.flush(store));
    record('SubnetEpoch', await this.subnetEpochs.flush(store));
    record('Job', await this.jobs.flush(store));
    record('MarketEpoch', await this.marketEpochs.flush(store));
    record('MarketStat', await this.marketStats.flush(store));
    record('ProviderEpoch', await this.providerEpochs.flush(store));
    record('Account', await this.accounts.flush(store));
    record('TokenSupplyDay', await this.supplyDays.flush(store));
    record('TokenSupplyEpoch', await this.supplyEpochs.flush(store));
    record('StakeEvent', await this.stakeEvents.flush(store));
    record('JobEvent', await this.jobEvents.flush(store));
    record('NeuronEpoch', await this.neuronEpochs.flush(store));
    // Not announced: every event is here, and listeners want the entities above.
    await this.chainEvents.flush(store);
    return changes;
  }
}

function hotkeyKey(netuid: number, hotkey: string): string {
  return `${netuid}-${hotkey}`;
}
