/**
 * An independent recomputation of posted epochs from the chain's logs alone, as an indexer would
 * do it: rebuild each epoch's inputs from registry events up to the epoch's block, run chain/yuma's
 * runEpoch with bonds and permits carried from the previous replayed epoch, and return what the
 * ledger should have emitted. Shares no code with chain/keeper except the documented hash encoding.
 */
import { type Address, type Hex, type PublicClient, parseEventLogs } from 'viem';
import { type ChainHyperparameters, epochLedgerAbi, hashBonds, hashEpochInputs, subnetRegistryAbi } from '../../chain';
import { runEpoch, type SparseU16Row, splitEmission } from '../../chain/yuma';

export interface ReplayedNeuron {
  uid: number;
  stakeWeight: number;
  consensus: number;
  incentive: number;
  dividends: number;
  validatorTrust: number;
  rank: number;
  trust: number;
  emission: bigint;
  validatorPermit: boolean;
}

export interface ReplayedEpoch {
  epoch: number;
  block: number;
  inputsHash: Hex;
  /** Posted epochs: '0x' (the ledger stores it, no event carries it); replayed: the hash of the bond rows. */
  bondsHash: Hex;
  neurons: ReplayedNeuron[];
  ownerCut: bigint;
}

/** Posted epochs of `netuid` as the ledger's events tell them, and as a replay of the registry's events computes them. */
export async function replayEpochsFromLogs(
  pub: PublicClient,
  contracts: { registry: Address; ledger: Address },
  netuid: number,
): Promise<{ posted: ReplayedEpoch[]; replayed: ReplayedEpoch[] }> {
  const [registryLogs, ledgerLogs] = await Promise.all([
    pub.getLogs({ address: contracts.registry, fromBlock: 0n, toBlock: 'latest' }),
    pub.getLogs({ address: contracts.ledger, fromBlock: 0n, toBlock: 'latest' }),
  ]);
  const reg = parseEventLogs({ abi: subnetRegistryAbi, logs: registryLogs });
  const led = parseEventLogs({ abi: epochLedgerAbi, logs: ledgerLogs });

  // What the ledger posted.
  const posted: ReplayedEpoch[] = [];
  for (const l of led) {
    if (l.eventName === 'EpochFinalized' && l.args.netuid === netuid) {
      posted.push({
        epoch: Number(l.args.epoch),
        block: Number(l.args.block),
        inputsHash: l.args.inputsHash,
        bondsHash: '0x',
        neurons: [],
        ownerCut: l.args.ownerCut,
      });
    } else if (l.eventName === 'NeuronEpoch' && l.args.netuid === netuid) {
      const { uid, stakeWeight, consensus, incentive, dividends, validatorTrust, rank, trust, emission, validatorPermit } = l.args;
      posted[Number(l.args.epoch) - 1]!.neurons.push({
        uid,
        stakeWeight,
        consensus,
        incentive,
        dividends,
        validatorTrust,
        rank,
        trust,
        emission,
        validatorPermit,
      });
    }
  }

  // The registry's state, advanced event by event up to each epoch's block.
  const hotkeys: Hex[] = [];
  const registeredAt: number[] = [];
  const lastUpdate: number[] = [];
  const weights: SparseU16Row[] = [];
  const hotkeyStake = new Map<string, bigint>();
  let hp: ChainHyperparameters | undefined;
  let cursor = 0;
  const advanceTo = (block: number) => {
    for (; cursor < reg.length && Number(reg[cursor]!.blockNumber) <= block; cursor++) {
      const l = reg[cursor]!;
      const b = Number(l.blockNumber);
      switch (l.eventName) {
        case 'HyperparametersSet':
          if (l.args.netuid === netuid) hp = { ...l.args.hyperparameters };
          break;
        case 'NeuronRegistered':
          if (l.args.netuid !== netuid) break;
          hotkeys[l.args.uid] = l.args.hotkey.toLowerCase() as Hex;
          registeredAt[l.args.uid] = b;
          lastUpdate[l.args.uid] = b;
          weights[l.args.uid] = { uids: [], values: [] };
          break;
        case 'WeightsSet':
          if (l.args.netuid !== netuid) break;
          weights[l.args.uid] = { uids: [...l.args.uids], values: [...l.args.values] };
          lastUpdate[l.args.uid] = b;
          break;
        case 'StakeAdded':
        case 'StakeRemoved':
          if (l.args.netuid === netuid) hotkeyStake.set(l.args.hotkey.toLowerCase(), l.args.hotkeyStake);
          break;
      }
    }
  };

  const replayed: ReplayedEpoch[] = [];
  let bonds: SparseU16Row[] = [];
  let permits: boolean[] = [];
  let prevBlock = 0;
  let prevBondsHash: Hex = `0x${'00'.repeat(32)}`;
  for (const p of posted) {
    advanceTo(p.block);
    if (!hp) throw new Error(`no HyperparametersSet for subnet ${netuid}`);
    const n = hotkeys.length;
    const stake = hotkeys.map((h) => hotkeyStake.get(h) ?? 0n);
    // Neurons registered since the previous epoch hold no permit and no bonds.
    const fresh = (uid: number) => prevBlock === 0 || registeredAt[uid]! > prevBlock;
    const permitIn = hotkeys.map((_, uid) => !fresh(uid) && (permits[uid] ?? false));
    const bondsIn = hotkeys.map((_, uid) => (fresh(uid) || !bonds[uid] ? { uids: [], values: [] } : bonds[uid]!));
    const inputs = {
      netuid,
      epoch: p.epoch,
      block: p.block,
      hyperparameters: hp,
      hotkeys: hotkeys.slice(),
      stake,
      registeredAt: registeredAt.slice(),
      lastUpdate: lastUpdate.slice(),
      validatorPermit: permitIn,
      weights: weights.map((w) => ({ uids: w.uids.slice(), values: w.values.slice() })),
      previousBondsHash: prevBondsHash,
    };
    const total = BigInt(hp.tempo) * 10n ** 18n;
    const r = runEpoch(
      {
        stake,
        lastUpdate: inputs.lastUpdate,
        registeredAt: inputs.registeredAt,
        weights: inputs.weights,
        bonds: bondsIn,
        validatorPermit: permitIn,
      },
      {
        hyperparameters: {
          kappa: hp.kappa,
          bondsMovingAverage: hp.bondsMovingAverage,
          bondsPenalty: hp.bondsPenalty,
          yuma3: hp.yuma3,
          liquidAlpha: hp.liquidAlpha,
          alphaLow: hp.alphaLow,
          alphaHigh: hp.alphaHigh,
          alphaSigmoidSteepness: hp.alphaSigmoidSteepness,
          maxAllowedValidators: hp.maxAllowedValidators,
          activityCutoff: Number(hp.activityCutoff),
          tempo: hp.tempo,
          stakeThreshold: hp.stakeThreshold,
        },
        block: p.block,
        emission: total,
      },
    );
    const split = splitEmission(total, r.incentive, r.dividends);
    const bondsHash = hashBonds(r.bonds);
    replayed.push({
      epoch: p.epoch,
      block: p.block,
      inputsHash: hashEpochInputs(inputs),
      bondsHash,
      ownerCut: split.owner,
      neurons: Array.from({ length: n }, (_, uid) => ({
        uid,
        stakeWeight: r.stakeWeight[uid]!,
        consensus: r.consensus[uid]!,
        incentive: r.incentive[uid]!,
        dividends: r.dividends[uid]!,
        validatorTrust: r.validatorTrust[uid]!,
        rank: r.rank[uid]!,
        trust: r.trust[uid]!,
        emission: split.miners[uid]! + split.validators[uid]!,
        validatorPermit: r.newPermit[uid]!,
      })),
    });
    bonds = r.bonds;
    permits = r.newPermit;
    prevBlock = p.block;
    prevBondsHash = bondsHash;
  }
  return { posted, replayed };
}
