// A plain node:http server in front of Apollo (no Express): POST/GET /graphql to
// executeHTTPGraphQLRequest, everything else 404. The WebSocket server for subscriptions shares
// this http.Server (upgrade requests on the same path). Requests are rate-limited per peer address.
import http from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';

import { HeaderMap } from '@apollo/server';
import { clientAddress } from './client-ip';
import { ErrorCode } from './errors';
import type { RateLimiter } from './ratelimit';
import type { FastLane } from './sql/fast';

const MAX_BODY_BYTES = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = 'BAD_REQUEST',
    readonly headers: Record<string, string> = {},
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

// GraphQL request errors (the request was well formed, the document or variables were not). With
// `application/json` responses the GraphQL-over-HTTP spec asks for 200 on these (legacy clients read
// the body, not the status); with `application/graphql-response+json` Apollo's 400 is right.
const REQUEST_ERROR_CODES: ReadonlySet<unknown> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  ErrorCode.QUERY_TOO_DEEP,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.TOO_MANY_ALIASES,
]);

function legacyStatus(status: number, contentType: string | undefined, body: string): number {
  if (status !== 400 || !contentType?.startsWith('application/json')) return status;
  try {
    const errors = (JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }).errors;
    if (errors?.length && errors.every((e) => REQUEST_ERROR_CODES.has(e.extensions?.code))) return 200;
  } catch {
    // not a GraphQL response: leave the status alone
  }
  return status;
}

export interface HttpServerOptions {
  path?: string;
  /** Per-peer-address limiter; requests over it get 429 RATE_LIMITED. */
  rateLimit?: RateLimiter;
  /** Answers the JSON POSTs it can without Apollo (gateway/sql/fast.ts); null sends a request on to Apollo. */
  fast?: FastLane;
  /** Proxies in front whose X-Forwarded-For entries name the client (gateway/client-ip.ts); default 0. */
  trustedProxies?: number;
}

export function createHttpServer<C extends BaseContext>(
  apollo: Pick<ApolloServer<C>, 'executeHTTPGraphQLRequest'>,
  /** Per request; given the peer's address (per-IP limits of mutations). */
  context: (clientIp: string | undefined) => Promise<C>,
  opts: HttpServerOptions = {},
): http.Server {
  const path = opts.path ?? '/graphql';
  const server = http.createServer(async (req, res) => {
    let onPath = false;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== path) throw new HttpError(404, 'not found');
      onPath = true;
      const clientIp = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], opts.trustedProxies ?? 0);
      const limited = opts.rateLimit?.take(clientIp);
      if (limited && !limited.ok) {
        const seconds = Math.ceil(limited.retryAfterMs / 1000);
        throw new HttpError(429, `too many requests from this address; retry in ${seconds} s`, ErrorCode.RATE_LIMITED, {
          'retry-after': String(seconds),
        });
      }
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
          const answer = await opts.fast?.({ headers, body });
          if (answer) {
            res.writeHead(200, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
            res.end(answer.body);
            return;
          }
        } else {
          body = text;
        }
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
        context: () => context(clientIp),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.statusCode = legacyStatus(res.statusCode, response.headers.get('content-type'), response.body.string);
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
      if (res.headersSent) {
        res.end();
        return;
      }
      res.statusCode = e.status;
      for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
      if (!onPath) {
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(e.message);
        return;
      }
      // On the GraphQL path every answer is a GraphQL response with a code, even transport errors.
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ errors: [{ message: e.message, extensions: { code: e.code } }] }));
    }
  });
  // Requests Node's parser refuses (a URL or headers over 16 KiB, garbage) get the same JSON shape
  // instead of Node's empty 400/431.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const message = status === 431 ? 'request URL or headers too large; send the query in a POST body' : 'malformed HTTP request';
    const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
