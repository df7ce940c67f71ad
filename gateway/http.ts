// A plain node:http server in front of Apollo (no Express): POST/GET /graphql to
// executeHTTPGraphQLRequest, everything else 404. Kept small so that a WebSocket server for
// subscriptions can later share the same http.Server.
import http from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';

import { HeaderMap } from '@apollo/server';

const MAX_BODY_BYTES = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createHttpServer<C extends BaseContext>(
  apollo: Pick<ApolloServer<C>, 'executeHTTPGraphQLRequest'>,
  context: () => Promise<C>,
  path = '/graphql',
): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== path) throw new HttpError(404, 'not found');
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown;
      if (req.method === 'POST') {
        const text = await readBody(req);
        if ((headers.get('content-type') ?? '').startsWith('application/json')) {
          try {
            body = JSON.parse(text);
          } catch {
            throw new HttpError(400, 'request body is not valid JSON');
          }
        } else {
          body = text;
        }
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
        context,
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) {
        res.statusCode = status;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
      }
      res.end(err instanceof HttpError ? err.message : 'internal server error');
    }
  });
}
