// Pure TypeScript forward pass of the logistic-regression graph that build-onnx.ts writes:
// sigmoid(((x - mean) / std) · w + b). Tests compare onnxruntime's output with it; it has no I/O.

export interface LogisticParameters {
  /** Per input column, in input order. */
  mean: readonly number[];
  std: readonly number[];
  weights: readonly number[];
  bias: number;
}

/**
 * Scores `rows` (row-major, `rows.length / width` rows). Arithmetic is done in float32 at the same
 * points as the ONNX graph so that the two agree to float rounding.
 */
export function buildLogisticScores(params: LogisticParameters, rows: Float32Array): Float32Array {
  const width = params.weights.length;
  if (params.mean.length !== width || params.std.length !== width) {
    throw new Error(`logistic parameters disagree in width: mean ${params.mean.length}, std ${params.std.length}, weights ${width}`);
  }
  if (rows.length % width !== 0) throw new Error(`rows of ${rows.length} values are not a multiple of width ${width}`);
  const f = Math.fround;
  const n = rows.length / width;
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let logit = 0;
    for (let c = 0; c < width; c++) {
      const z = f(f(rows[r * width + c] - f(params.mean[c])) / f(params.std[c]));
      logit += z * f(params.weights[c]);
    }
    out[r] = 1 / (1 + Math.exp(-(f(logit) + f(params.bias))));
  }
  return out;
}
