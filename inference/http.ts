// The HTTP surface (node:http): POST /score, GET /health, GET /metrics, POST /admin/reload. The
// gateway depends on the exact shapes of /score and /health, and on the error body
// { error: { code, message } }.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { InferenceErrorCode as Code, InferenceRequestError, ModelLoadError } from './errors';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

const MAX_BODY_BYTES = 1 << 20;

interface HttpDeps {
  score(body: unknown): Promise<unknown>;
  health(): unknown;
  reload(options: { model?: string; version?: number | 'latest'; allowInputChange?: boolean }): Promise<unknown>;
  /** Without a token the admin routes are off: reloading is an operator's act, not any client's. */
  adminToken: string | undefined;
  metrics: Metrics;
  logger: Logger;
}

const ROUTES = ['/score', '/health', '/metrics', '/admin/reload'];

export function createHttpHandler(deps: HttpDeps): RequestListener {
  return (req, res) => {
    const started = process.hrtime.bigint();
    // The path without a query string: cheaper than new URL() on every request (the hot path is /score).
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const route = ROUTES.includes(pathname) ? pathname : 'other';
    handle(deps, req, res, pathname)
      .catch((err: unknown) => {
        const e = err instanceof InferenceRequestError ? err : new InferenceRequestError(Code.INTERNAL, 'internal error', { cause: err });
        if (e.code === Code.INTERNAL) deps.logger.error(`inference: ${req.method} ${pathname} failed: ${(err as Error)?.stack ?? err}`);
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
    case '/admin/reload': {
      allow('POST');
      checkAdmin(deps.adminToken, req.headers.authorization);
      const text = await readBody(req);
      const options = parseReloadBody(text);
      try {
        const result = await deps.reload(options);
        deps.logger.info(`inference: reload via HTTP: ${JSON.stringify(result)}`);
        sendJson(res, 200, result);
      } catch (err) {
        if (!(err instanceof ModelLoadError)) throw err;
        // The old version keeps serving; the operator sees why the new one was refused.
        deps.logger.warn(`inference: reload refused: ${err.name}: ${err.message}`);
        throw new InferenceRequestError(Code.RELOAD_REFUSED, `${err.name}: ${err.message}`, { cause: err });
      }
      return;
    }
    default:
      throw new InferenceRequestError(Code.NOT_FOUND, `no route ${req.method} ${path}`);
  }
}

function checkAdmin(token: string | undefined, header: string | undefined): void {
  if (!token) throw new InferenceRequestError(Code.ADMIN_DISABLED, 'admin routes are off: set INFERENCE_ADMIN_TOKEN to enable them');
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  // Compare digests so the comparison takes the same time whatever the length or prefix of a guess.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new InferenceRequestError(Code.UNAUTHORIZED, 'missing or wrong "authorization: Bearer <INFERENCE_ADMIN_TOKEN>" header');
  }
}

/** Body of POST /admin/reload: empty, or { model?, version?: positive integer | "latest", allowInputChange? }. */
function parseReloadBody(text: string): { model?: string; version?: number | 'latest'; allowInputChange?: boolean } {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InferenceRequestError(Code.BAD_JSON, `body is not valid JSON: ${(err as Error).message}`);
  }
  const bad = (msg: string): never => {
    throw new InferenceRequestError(Code.INVALID_REQUEST, msg);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const unknownKeys = Object.keys(b).filter((k) => !['model', 'version', 'allowInputChange'].includes(k));
  if (unknownKeys.length > 0) bad(`unknown field(s): ${unknownKeys.join(', ')}`);
  if (b.model !== undefined && typeof b.model !== 'string') bad('"model" must be a string');
  if (b.version !== undefined && b.version !== 'latest' && !(Number.isInteger(b.version) && (b.version as number) > 0)) {
    bad('"version" must be a positive integer or "latest"');
  }
  if (b.version !== undefined && b.model === undefined) bad('"version" needs "model"');
  if (b.allowInputChange !== undefined && typeof b.allowInputChange !== 'boolean') bad('"allowInputChange" must be a boolean');
  return b as { model?: string; version?: number | 'latest'; allowInputChange?: boolean };
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
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
