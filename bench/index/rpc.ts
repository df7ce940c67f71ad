// Plain JSON-RPC over fetch: the generator sends thousands of raw transactions, and viem's clients
// add per-call work (formatting, caching) that would show up in the generation time.

export class BenchRpcError extends Error {
  override name = 'BenchRpcError';
}

let nextId = 1;

export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message?: string } };
  if (body.error) throw new BenchRpcError(`${method} failed: ${body.error.message ?? JSON.stringify(body.error)}`);
  return body.result as T;
}

/** One HTTP request for many calls; answers in call order. */
export async function rpcBatch<T>(url: string, calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  if (calls.length === 0) return [];
  const first = nextId;
  nextId += calls.length;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, ...c }))),
  });
  const body = (await res.json()) as { id: number; result?: T; error?: { message?: string } }[];
  const out = new Array<T>(calls.length);
  for (const r of body) {
    if (r.error) throw new BenchRpcError(`${calls[r.id - first]?.method} failed: ${r.error.message ?? JSON.stringify(r.error)}`);
    out[r.id - first] = r.result as T;
  }
  return out;
}

export const hexNumber = (n: number | bigint): string => `0x${n.toString(16)}`;

export async function blockNumber(url: string): Promise<number> {
  return Number(BigInt(await rpc<string>(url, 'eth_blockNumber')));
}

/** Mines `n` empty blocks one by one: hardhat_mine would leave blocks with zero parent hashes. */
export async function mineBlocks(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await rpc(url, 'evm_mine');
}
