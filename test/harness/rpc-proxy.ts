// A JSON-RPC proxy in front of a devnet whose behaviour a test switches: pass requests through, fail
// them (HTTP 503), hang them, or answer garbage. For the indexer's RPC-trouble tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'fail' | 'hang' | 'garbage';

export interface RpcProxy {
  url: string;
  mode: ProxyMode;
  /** requests answered other than by passing through */
  disturbed: number;
  close(): Promise<void>;
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const hanging = new Set<http.ServerResponse>();
  const proxy: RpcProxy = { url: '', mode: 'pass', disturbed: 0, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (proxy.mode !== 'pass') proxy.disturbed++;
    if (proxy.mode === 'fail') return res.writeHead(503).end('service unavailable');
    if (proxy.mode === 'hang') return void hanging.add(res);
    if (proxy.mode === 'garbage')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{"number":"banana"');
    try {
      const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const r of hanging) r.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
