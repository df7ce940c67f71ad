// The few JSON-RPC reads the indexer makes itself (the processor does the rest).

export class RpcUnavailableError extends Error {
  override name = 'RpcUnavailableError';
}
export class RpcBadAnswerError extends Error {
  override name = 'RpcBadAnswerError';
}

export async function rpcCall<T>(url: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new RpcUnavailableError(`cannot reach RPC_URL ${url} (${cause})`, { cause: err });
  }
  const text = await res.text();
  let body: { result?: T; error?: { message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new RpcBadAnswerError(`RPC_URL ${url} answered ${method} with something that is not JSON-RPC (HTTP ${res.status})`);
  }
  if (body.error) throw new RpcBadAnswerError(`RPC_URL ${url} refused ${method}: ${body.error.message ?? 'error'}`);
  if (body.result === undefined) throw new RpcBadAnswerError(`RPC_URL ${url} answered ${method} without a result`);
  return body.result;
}

export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
}

export async function fetchChainIdentity(url: string): Promise<ChainIdentity> {
  const chainId = Number(BigInt(await rpcCall<string>(url, 'eth_chainId')));
  const genesis = await rpcCall<{ hash: string } | null>(url, 'eth_getBlockByNumber', ['0x0', false]);
  if (!genesis?.hash) throw new RpcBadAnswerError(`RPC_URL ${url} has no genesis block`);
  return { chainId, genesisHash: genesis.hash.toLowerCase() };
}

/** The hash of the block at this height, or null when the chain is shorter. */
export async function fetchBlockHash(url: string, height: number): Promise<string | null> {
  const b = await rpcCall<{ hash: string } | null>(url, 'eth_getBlockByNumber', [`0x${height.toString(16)}`, false]);
  return b?.hash.toLowerCase() ?? null;
}
