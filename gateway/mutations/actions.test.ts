import { encodeErrorResult, encodeFunctionData, type Hex } from 'viem';
import { computeMarketAbi, gridTokenAbi, subnetRegistryAbi } from '../../chain';
import { ACTION_NAMES, decodeAction, decodeRevert, encodeAction, revertCode } from './actions';

const contracts = { market: '0x00000000000000000000000000000000000000aa', registry: '0x00000000000000000000000000000000000000bb' } as const;
const hotkey = '0x00000000000000000000000000000000000000cc';

describe('actions', () => {
  it('covers the eleven mutations of the issue', () => {
    expect(ACTION_NAMES).toEqual([
      'registerProvider',
      'updateProvider',
      'submitJob',
      'cancelJob',
      'claimJob',
      'submitJobResult',
      'approveJob',
      'rejectJob',
      'addStake',
      'removeStake',
      'setWeights',
    ]);
  });

  it('reads back what it encodes, as the role checks need it', () => {
    expect(
      decodeAction('submitJob', contracts.market, contracts, encodeAction('submitJob', [2, `0x${'11'.repeat(32)}`, 1500n, 99n])),
    ).toEqual({
      action: 'submitJob',
      marketId: 2,
      specHash: `0x${'11'.repeat(32)}`,
      workEstimate: 1500n,
      deadline: 99n,
    });
    expect(decodeAction('addStake', contracts.registry, contracts, encodeAction('addStake', [hotkey, 3, 7n]))).toEqual({
      action: 'addStake',
      hotkey,
      netuid: 3,
      amount: 7n,
    });
    expect(decodeAction('setWeights', contracts.registry, contracts, encodeAction('setWeights', [1, [0, 2], [10, 20]]))).toEqual({
      action: 'setWeights',
      netuid: 1,
      uids: [0, 2],
      values: [10, 20],
    });
  });

  it('refuses calldata of another function or contract, and arguments that do not fit the ABI', () => {
    const approve = encodeAction('approveJob', [5n]);
    expect(() => decodeAction('cancelJob', contracts.market, contracts, approve)).toThrow(
      /calls approveJob, but cancelJob relays cancelJob/,
    );
    expect(() => decodeAction('approveJob', contracts.registry, contracts, approve)).toThrow(/request.to must be the market/);
    const transfer = encodeFunctionData({ abi: gridTokenAbi, functionName: 'transfer', args: [hotkey, 1n] });
    expect(() => decodeAction('approveJob', contracts.market, contracts, transfer)).toThrow(/not a call of the market/);
    expect(() => encodeAction('setWeights', [1, [70_000], [1]])).toThrow(/do not fit setWeights/);
  });

  it('decodes the contracts’ errors by name, with the codes that have their own', () => {
    const data = encodeErrorResult({ abi: computeMarketAbi, errorName: 'NotJobSender', args: [4n, hotkey] });
    expect(decodeRevert(data)).toEqual({ name: 'NotJobSender', args: { jobId: '4', caller: hotkey } });
    const stake = encodeErrorResult({ abi: subnetRegistryAbi, errorName: 'InsufficientStake', args: [1n, 2n] });
    expect(revertCode(decodeRevert(stake)?.name)).toBe('INSUFFICIENT_STAKE');
    const allowance = encodeErrorResult({ abi: gridTokenAbi, errorName: 'ERC20InsufficientAllowance', args: [hotkey, 0n, 5n] });
    expect(revertCode(decodeRevert(allowance)?.name)).toBe('INSUFFICIENT_ALLOWANCE');
    expect(revertCode('ERC20InsufficientBalance')).toBe('INSUFFICIENT_BALANCE');
    expect(revertCode('TierTooLow')).toBe('CONTRACT_REVERTED');
    expect(decodeRevert('0x' as Hex)).toBeNull();
    expect(decodeRevert('0x12345678')).toBeNull();
  });
});
