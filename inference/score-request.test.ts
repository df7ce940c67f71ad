// parseScoreRequest: every 400 of /score is decided here. JSON cannot carry NaN or Infinity, but an
// in-process caller (score(), the validator, the gateway's own tests) can pass them: they must be
// refused with INVALID_NUMBER, never reach onnxruntime (NaN would come back as a NaN score).
import { InferenceRequestError } from './errors';
import { parseScoreRequest, type ScoreRequestContext } from './score-request';

const ctx: ScoreRequestContext = {
  defaultModel: 'm',
  models: new Map([['m', { inputs: ['a', 'b', 'c'] }]]),
  maxRows: 10,
};

function refusal(body: unknown): { code: string; status: number; message: string } {
  try {
    parseScoreRequest(body, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(InferenceRequestError);
    const e = err as InferenceRequestError;
    return { code: e.code, status: e.status, message: e.message };
  }
  throw new Error('parseScoreRequest accepted the body');
}

describe('parseScoreRequest', () => {
  it('accepts finite rows and packs them row-major as float32', () => {
    const req = parseScoreRequest(
      {
        rows: [
          [1, 2.5, -3],
          [0, 1e-3, 3.4e38],
        ],
      },
      ctx,
    );
    expect(req.kind).toBe('rows');
    if (req.kind !== 'rows') return;
    expect([...req.matrix]).toEqual([1, 2.5, -3, 0, Math.fround(1e-3), Math.fround(3.4e38)]);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a value beyond float32', 1e39],
  ])('refuses %s with 400 INVALID_NUMBER, naming the cell and its feature', (_what, v) => {
    expect(
      refusal({
        rows: [
          [1, 2, 3],
          [4, v, 6],
        ],
      }),
    ).toEqual({
      code: 'INVALID_NUMBER',
      status: 400,
      message: 'rows[1][1] (b) must be a finite number',
    });
  });

  it('refuses NaN in the first and the last cell alike', () => {
    expect(refusal({ rows: [[Number.NaN, 0, 0]] }).message).toBe('rows[0][0] (a) must be a finite number');
    expect(refusal({ rows: [[0, 0, Number.NaN]] }).message).toBe('rows[0][2] (c) must be a finite number');
  });
});
