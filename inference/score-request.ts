// Validation of a /score request body: pure, so every 400 the service answers is decided here.
import { InferenceErrorCode as Code, InferenceRequestError } from './errors';

export interface ScoreRequest {
  /** Provider addresses to score from indexed data. */
  addresses?: string[];
  /** Raw feature rows, each in the model's input order. */
  rows?: number[][];
  /** Model name; the service's default model when absent. */
  model?: string;
}

export type ParsedScoreRequest =
  | { model: string; kind: 'addresses'; addresses: string[] }
  | { model: string; kind: 'rows'; rows: number[][]; matrix: Float32Array };

export interface ScoreRequestContext {
  defaultModel: string;
  /** Input feature names of each loadable model. */
  models: ReadonlyMap<string, { inputs: readonly string[] }>;
  maxRows: number;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Checks a parsed JSON body; throws InferenceRequestError with a stable code. */
export function parseScoreRequest(body: unknown, ctx: ScoreRequestContext): ParsedScoreRequest {
  const bad = (code: Code, msg: string): never => {
    throw new InferenceRequestError(code, msg);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad(Code.INVALID_REQUEST, 'body must be a JSON object with "addresses" or "rows"');
  }
  const b = body as Record<string, unknown>;
  const unknownKeys = Object.keys(b).filter((k) => k !== 'addresses' && k !== 'rows' && k !== 'model');
  if (unknownKeys.length > 0) bad(Code.INVALID_REQUEST, `unknown field(s): ${unknownKeys.join(', ')}`);
  if (b.model !== undefined && typeof b.model !== 'string') bad(Code.INVALID_REQUEST, '"model" must be a string');
  const model = (b.model as string | undefined) ?? ctx.defaultModel;
  const spec = ctx.models.get(model);
  if (!spec) return bad(Code.UNKNOWN_MODEL, `unknown model "${model}"; loaded: ${[...ctx.models.keys()].join(', ')}`);
  const hasAddresses = b.addresses !== undefined;
  const hasRows = b.rows !== undefined;
  if (hasAddresses === hasRows) bad(Code.INVALID_REQUEST, 'send exactly one of "addresses" or "rows"');

  if (hasAddresses) {
    if (!Array.isArray(b.addresses)) return bad(Code.INVALID_REQUEST, '"addresses" must be an array of 0x addresses');
    if (b.addresses.length > ctx.maxRows) bad(Code.TOO_MANY_ROWS, `at most ${ctx.maxRows} addresses per request`);
    const addresses = b.addresses.map((a, i) =>
      typeof a === 'string' && ADDRESS.test(a)
        ? a.toLowerCase()
        : bad(Code.INVALID_ADDRESS, `addresses[${i}] is not a 0x-prefixed 20-byte hex address`),
    );
    return { model, kind: 'addresses', addresses };
  }

  if (!Array.isArray(b.rows)) return bad(Code.INVALID_REQUEST, '"rows" must be an array of arrays of numbers');
  if (b.rows.length > ctx.maxRows) bad(Code.TOO_MANY_ROWS, `at most ${ctx.maxRows} rows per request`);
  const width = spec.inputs.length;
  const matrix = new Float32Array(b.rows.length * width);
  b.rows.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== width) {
      bad(Code.WRONG_ROW_LENGTH, `rows[${r}] must be an array of ${width} numbers (${spec.inputs.join(', ')})`);
    }
    (row as unknown[]).forEach((v, c) => {
      // JSON has no NaN or Infinity, but strings, null and values beyond float32 still arrive.
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) {
        bad(Code.INVALID_NUMBER, `rows[${r}][${c}] (${spec.inputs[c]}) must be a finite number`);
      }
      matrix[r * width + c] = v as number;
    });
  });
  return { model, kind: 'rows', rows: b.rows as number[][], matrix };
}
