import { encodeAbiParameters, keccak256 } from 'viem';
import { runEpoch, splitEmission } from '../yuma';
import {
  buildEpoch,
  buildPermits,
  buildPreviousBonds,
  type ChainHyperparameters,
  EMISSION_PER_BLOCK,
  type EpochInputs,
  hashBonds,
  hashEpochInputs,
  ZERO_HASH,
} from './epoch';

const hp: ChainHyperparameters = {
  tempo: 10,
  maxUids: 8,
  maxAllowedValidators: 2,
  kappa: 32767,
  bondsMovingAverage: 900_000,
  bondsPenalty: 65535,
  yuma3: false,
  liquidAlpha: false,
  alphaLow: 45875,
  alphaHigh: 58982,
  alphaSigmoidSteepness: 1000,
  activityCutoff: 5000n,
  immunityPeriod: 100n,
  weightsRateLimit: 1n,
  stakeThreshold: 0n,
};

const inputs = (over: Partial<EpochInputs> = {}): EpochInputs => ({
  netuid: 3,
  epoch: 2,
  block: 40,
  hyperparameters: hp,
  hotkeys: [
    '0x00000000000000000000000000000000000000a1',
    '0x00000000000000000000000000000000000000a2',
    '0x00000000000000000000000000000000000000a3',
  ],
  stake: [300n, 100n, 0n],
  registeredAt: [1, 1, 2],
  lastUpdate: [25, 26, 2],
  validatorPermit: [true, true, false],
  weights: [
    { uids: [1, 2], values: [65535, 30000] },
    { uids: [2], values: [65535] },
    { uids: [], values: [] },
  ],
  previousBondsHash: ZERO_HASH,
  ...over,
});

describe('keeper: epoch inputs, results and commitments', () => {
  it('reads permits only for neurons that held their uid at the previous epoch', () => {
    expect(buildPermits(0b101n, 30, [10, 10, 10])).toEqual([true, false, true]);
    expect(buildPermits(0b101n, 30, [10, 10, 31])).toEqual([true, false, false]);
    expect(buildPermits(0b111n, 0, [10, 10, 10])).toEqual([false, false, false]);
  });

  it('carries bond rows, emptied for neurons registered since the previous epoch and for new uids', () => {
    const prev = [
      { uids: [1], values: [65535] },
      { uids: [0], values: [100] },
    ];
    expect(buildPreviousBonds(prev, 30, [10, 31, 32])).toEqual([
      { uids: [1], values: [65535] },
      { uids: [], values: [] },
      { uids: [], values: [] },
    ]);
  });

  it('hashes the documented abi.encode layout', () => {
    const x = inputs();
    expect(hashEpochInputs(x)).toBe(hashEpochInputs(inputs()));
    expect(hashEpochInputs(inputs({ block: 41 }))).not.toBe(hashEpochInputs(x));
    expect(hashEpochInputs(inputs({ weights: [...x.weights.slice(0, 2), { uids: [0], values: [0] }] }))).not.toBe(hashEpochInputs(x));
    const rows = [
      { uids: [1, 2], values: [7, 8] },
      { uids: [], values: [] },
    ];
    expect(hashBonds(rows)).toBe(
      keccak256(
        encodeAbiParameters(
          [{ type: 'uint16[][]' }, { type: 'uint16[][]' }],
          [
            [[1, 2], []],
            [[7, 8], []],
          ],
        ),
      ),
    );
  });

  it('posts exactly what chain/yuma computes, with the ledger split of tempo × per-block emission', () => {
    const x = inputs();
    const prevBonds = [
      { uids: [1, 2], values: [65535, 65535] },
      { uids: [], values: [] },
      { uids: [], values: [] },
    ];
    const built = buildEpoch(x, prevBonds);
    const total = 10n * EMISSION_PER_BLOCK;
    const r = runEpoch(
      {
        stake: x.stake,
        lastUpdate: x.lastUpdate,
        registeredAt: x.registeredAt,
        weights: x.weights,
        bonds: prevBonds,
        validatorPermit: x.validatorPermit,
      },
      { hyperparameters: { ...hp, activityCutoff: 5000, stakeThreshold: 0n }, block: 40, emission: total },
    );
    expect(built.args[0]).toBe(3);
    expect(built.args[1]).toBe(40n);
    expect(built.args[2]).toBe(hashEpochInputs(x));
    expect(built.args[3]).toBe(hashBonds(r.bonds));
    // One word per uid: seven u16 fields from bit 0 up, the permit at bit 112 (EpochLedger unpacks it so).
    const unpack = (w: bigint) => {
      const u16 = (k: number) => Number((w >> BigInt(16 * k)) & 0xffffn);
      return {
        stakeWeight: u16(0),
        consensus: u16(1),
        incentive: u16(2),
        dividends: u16(3),
        validatorTrust: u16(4),
        rank: u16(5),
        trust: u16(6),
        validatorPermit: ((w >> 112n) & 1n) === 1n,
      };
    };
    expect(built.args[4].every((w) => w >> 113n === 0n)).toBe(true);
    expect(built.args[4].map(unpack)).toEqual(built.neurons);
    expect(built.neurons).toEqual(
      r.incentive.map((_, i) => ({
        stakeWeight: r.stakeWeight[i],
        consensus: r.consensus[i],
        incentive: r.incentive[i],
        dividends: r.dividends[i],
        validatorTrust: r.validatorTrust[i],
        rank: r.rank[i],
        trust: r.trust[i],
        validatorPermit: r.newPermit[i],
      })),
    );
    const split = splitEmission(total, r.incentive, r.dividends);
    expect(built.emission).toEqual(split.miners.map((m, i) => m + split.validators[i]!));
    expect(built.ownerCut + built.emission.reduce((a, b) => a + b, 0n)).toBe(total);
    expect(built.ownerCut).toBeGreaterThanOrEqual((total * 18n) / 100n);
  });
});
