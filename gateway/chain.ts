// The chain head from any EVM JSON-RPC endpoint (eth_blockNumber), cached briefly so that a burst
// of `_meta` queries makes one RPC call. Unreachable → null: `_meta` still answers.
export interface ChainHeadClient {
  head(): Promise<number | null>;
}

export interface ChainHeadOptions {
  url: string;
  cacheMs?: number;
  timeoutMs?: number;
}

export function createChainHeadClient(opts: ChainHeadOptions): ChainHeadClient {
  const cacheMs = opts.cacheMs ?? 250;
  const timeoutMs = opts.timeoutMs ?? 1000;
  let cached: { at: number; value: Promise<number | null> } | undefined;

  async function fetchHead(): Promise<number | null> {
    try {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) return null;
      const body = (await res.json()) as { result?: unknown };
      return typeof body.result === 'string' && /^0x[0-9a-f]+$/i.test(body.result) ? Number.parseInt(body.result, 16) : null;
    } catch {
      return null;
    }
  }

  return {
    head() {
      const now = Date.now();
      // The in-flight promise is cached too, so concurrent callers share one request.
      if (!cached || now - cached.at > cacheMs) cached = { at: now, value: fetchHead() };
      return cached.value;
    },
  };
}
