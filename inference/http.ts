// The HTTP surface (node:http): POST /score, GET /health, GET /metrics. The gateway depends on the
// exact shapes of /score and /health, and on the error body { error: { code, message } }.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { InferenceErrorCode as Code, InferenceRequestError } from './errors';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

const MAX_BODY_BYTES = 1 << 20;

interface HttpDeps {
  score(body: unknown): Promise<unknown>;
  health(): unknown;
  metrics: Metrics;
  logger: Logger;
}

export function createHttpHandler(deps: HttpDeps): RequestListener {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ['/score', '/health', '/metrics'].includes(url.pathname) ? url.pathname : 'other';
    handle(deps, req, res, url.pathname)
      .catch((err: unknown) => {
        const e = err instanceof InferenceRequestError ? err : new InferenceRequestError(Code.INTERNAL, 'internal error', { cause: err });
        if (e.code === Code.INTERNAL) deps.logger.error(`inference: ${req.method} ${url.pathname} failed: ${(err as Error)?.stack ?? err}`);
        deps.metrics.error(e.code);
        sendJson(res, e.status, { error: { code: e.code, message: e.message } });
      })
      .finally(() => {
        deps.metrics.request(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      });
  };
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const allow = (method: string) => {
    if (req.method !== method) {
      res.setHeader('allow', method);
      throw new InferenceRequestError(Code.METHOD_NOT_ALLOWED, `${path} accepts ${method} only`);
    }
  };
  switch (path) {
    case '/score': {
      allow('POST');
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new InferenceRequestError(Code.BAD_JSON, `body is not valid JSON: ${(err as Error).message}`);
      }
      sendJson(res, 200, await deps.score(body));
      return;
    }
    case '/health':
      allow('GET');
      sendJson(res, 200, deps.health());
      return;
    case '/metrics':
      allow('GET');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(deps.metrics.render());
      return;
    default:
      throw new InferenceRequestError(Code.NOT_FOUND, `no route ${req.method} ${path}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new InferenceRequestError(Code.PAYLOAD_TOO_LARGE, `body exceeds ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
