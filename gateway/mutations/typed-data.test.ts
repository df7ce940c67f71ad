import { hashTypedData } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { BadUserInputError } from '../errors';
import {
  buildForwardRequestTypedData,
  buildPermitTypedData,
  type ForwardRequest,
  parseForwardRequest,
  parseSignature,
  recoverSigner,
} from './typed-data';

const alice = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const bob = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const domain = {
  name: 'GridmindForwarder',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
} as const;
const request: ForwardRequest = {
  from: alice.address.toLowerCase() as `0x${string}`,
  to: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  value: 0n,
  gas: 250_000n,
  nonce: 3n,
  deadline: 1_900_000_000n,
  data: '0xdeadbeef',
};

describe('forward request typed data', () => {
  it('is JSON a wallet signs as it is, and hashes like the bigint form', async () => {
    const td = buildForwardRequestTypedData(domain, request);
    expect(JSON.parse(JSON.stringify(td))).toEqual(td);
    expect(td.message).toEqual({ ...request, value: '0', gas: '250000', nonce: '3', deadline: '1900000000' });
    const { EIP712Domain: _d, ...types } = td.types;
    const viaBigints = hashTypedData({ domain, types, primaryType: 'ForwardRequest', message: request } as never);
    const viaStrings = hashTypedData({ domain, types: td.types, primaryType: 'ForwardRequest', message: td.message } as never);
    expect(viaStrings).toBe(viaBigints);
    const signature = await alice.signTypedData(td as never);
    expect(await recoverSigner(td, signature)).toBe(request.from);
  });

  it('recovers another address from a signature by another key, or from another message; null from garbage', async () => {
    const td = buildForwardRequestTypedData(domain, request);
    expect(await recoverSigner(td, await bob.signTypedData(td as never))).toBe(bob.address.toLowerCase());
    const signature = await alice.signTypedData(td as never);
    const tampered = buildForwardRequestTypedData(domain, { ...request, nonce: 4n });
    expect(await recoverSigner(tampered, signature)).not.toBe(request.from);
    expect(await recoverSigner(td, `0x${'00'.repeat(65)}`)).toBeNull();
  });

  it('parses the mutation input strictly (BAD_USER_INPUT names the field)', () => {
    const input = { ...buildForwardRequestTypedData(domain, request).message };
    expect(parseForwardRequest(input)).toEqual(request);
    expect(parseForwardRequest({ ...input, from: alice.address })).toEqual(request);
    expect(() => parseForwardRequest({ ...input, nonce: '-1' })).toThrow(/request.nonce/);
    expect(() => parseForwardRequest({ ...input, deadline: (1n << 48n).toString() })).toThrow(/request.deadline/);
    expect(() => parseForwardRequest({ ...input, to: '0x12' })).toThrow(BadUserInputError);
    expect(() => parseForwardRequest({ ...input, data: '0xabc' })).toThrow(/request.data/);
    expect(() => parseSignature('0x1234')).toThrow(/65 bytes/);
  });

  it('builds the ERC-2612 permit of the token', async () => {
    const permit = { owner: request.from, spender: request.to, value: 10n ** 20n, nonce: 0n, deadline: 1_900_000_000n };
    const td = buildPermitTypedData({ ...domain, name: 'Gridmind' }, permit);
    expect(td.primaryType).toBe('Permit');
    expect(td.types.Permit.map((f) => f.name)).toEqual(['owner', 'spender', 'value', 'nonce', 'deadline']);
    expect(await recoverSigner(td, await alice.signTypedData(td as never))).toBe(request.from);
  });
});
