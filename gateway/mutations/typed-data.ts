// EIP-712 typed data of the two kinds of request the gateway relays, and their parsing: the
// forwarder's ForwardRequest (OpenZeppelin ERC2771Forwarder) over a contract call, and the token's
// ERC-2612 Permit. Pure: values in, values out. Amounts travel as decimal strings in the typed
// data, which viem's signTypedData and eth_signTypedData_v4 wallets both accept.
import { type Address, getAddress, type Hex, isAddress, isHex, recoverTypedDataAddress } from 'viem';
import { BadUserInputError } from '../errors';

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** A ForwardRequest as signed: addresses lowercase, integers as bigint. */
export interface ForwardRequest {
  from: Address;
  to: Address;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: bigint;
  data: Hex;
}

/** An ERC-2612 Permit as signed. */
export interface Permit {
  owner: Address;
  spender: Address;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

const DOMAIN_TYPE = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const;

/** ERC2771Forwarder's FORWARD_REQUEST_TYPEHASH, field by field. */
export const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'gas', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint48' },
    { name: 'data', type: 'bytes' },
  ],
} as const;

export const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/** What a wallet signs: the shape of eth_signTypedData_v4 (EIP712Domain included) and of viem's signTypedData. */
export interface TypedDataJson {
  domain: Eip712Domain;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, string>;
}

export function buildForwardRequestTypedData(domain: Eip712Domain, request: ForwardRequest): TypedDataJson {
  return {
    domain,
    types: { EIP712Domain: DOMAIN_TYPE, ...FORWARD_REQUEST_TYPES },
    primaryType: 'ForwardRequest',
    message: forwardRequestStrings(request),
  };
}

export function buildPermitTypedData(domain: Eip712Domain, permit: Permit): TypedDataJson {
  return {
    domain,
    types: { EIP712Domain: DOMAIN_TYPE, ...PERMIT_TYPES },
    primaryType: 'Permit',
    message: permitStrings(permit),
  };
}

export function forwardRequestStrings(r: ForwardRequest): Record<keyof ForwardRequest, string> {
  return {
    from: r.from,
    to: r.to,
    value: r.value.toString(),
    gas: r.gas.toString(),
    nonce: r.nonce.toString(),
    deadline: r.deadline.toString(),
    data: r.data,
  };
}

export function permitStrings(p: Permit): Record<keyof Permit, string> {
  return { owner: p.owner, spender: p.spender, value: p.value.toString(), nonce: p.nonce.toString(), deadline: p.deadline.toString() };
}

const UINT256_MAX = (1n << 256n) - 1n;
const UINT48_MAX = (1n << 48n) - 1n;

/** A lowercase address, or BAD_USER_INPUT naming the field. */
export function parseAddress(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new BadUserInputError(`${field} must be a 0x-prefixed 20-byte address, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase() as Address;
}

export function parseUint(value: unknown, field: string, max = UINT256_MAX): bigint {
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || BigInt(text) > max) {
    throw new BadUserInputError(`${field} must be an unsigned integer (decimal string) of at most ${max}, got ${JSON.stringify(value)}`);
  }
  return BigInt(text);
}

export function parseBytes(value: unknown, field: string, size?: number): Hex {
  if (typeof value !== 'string' || !isHex(value, { strict: true }) || value.length % 2 !== 0) {
    throw new BadUserInputError(`${field} must be 0x-prefixed hex bytes, got ${JSON.stringify(value)}`);
  }
  if (size !== undefined && value.length !== 2 + 2 * size) throw new BadUserInputError(`${field} must be ${size} bytes`);
  return value.toLowerCase() as Hex;
}

/** The mutation's `request` argument as a ForwardRequest; BAD_USER_INPUT on any malformed field. */
export function parseForwardRequest(input: Record<string, unknown>): ForwardRequest {
  return {
    from: parseAddress(input.from, 'request.from'),
    to: parseAddress(input.to, 'request.to'),
    value: parseUint(input.value, 'request.value'),
    gas: parseUint(input.gas, 'request.gas'),
    nonce: parseUint(input.nonce, 'request.nonce'),
    deadline: parseUint(input.deadline, 'request.deadline', UINT48_MAX),
    data: parseBytes(input.data, 'request.data'),
  };
}

export function parsePermit(input: Record<string, unknown>): Permit {
  return {
    owner: parseAddress(input.owner, 'permit.owner'),
    spender: parseAddress(input.spender, 'permit.spender'),
    value: parseUint(input.value, 'permit.value'),
    nonce: parseUint(input.nonce, 'permit.nonce'),
    deadline: parseUint(input.deadline, 'permit.deadline'),
  };
}

/** A 65-byte signature (r, s, v) as hex; BAD_USER_INPUT otherwise. */
export function parseSignature(value: unknown): Hex {
  return parseBytes(value, 'signature', 65);
}

/**
 * The address that signed `typedData`, lowercase, or null when the signature does not recover
 * (a malformed s or v): a forged signature recovers to some other address, never throws here.
 */
export async function recoverSigner(typedData: TypedDataJson, signature: Hex): Promise<Address | null> {
  try {
    const { EIP712Domain: _domain, ...types } = typedData.types;
    const signer = await recoverTypedDataAddress({
      domain: typedData.domain,
      types,
      primaryType: typedData.primaryType,
      message: typedData.message,
      signature,
    } as Parameters<typeof recoverTypedDataAddress>[0]);
    return getAddress(signer).toLowerCase() as Address;
  } catch {
    return null;
  }
}
