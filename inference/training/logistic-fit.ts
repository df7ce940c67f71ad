// Logistic regression fitted by full-batch gradient descent with L2, on standardised features.
// Pure and deterministic: the same examples and options give the same parameters bit for bit.
import type { LogisticParameters } from '../model/logistic';

export interface FitOptions {
  /** L2 penalty on the weights (not the bias), per example: loss = mean log-loss + l2/2 · |w|². */
  l2: number;
  learningRate: number;
  epochs: number;
}

export interface Standardisation {
  mean: number[];
  /** A constant column gets std 1 (it then contributes nothing after centring). */
  std: number[];
}

export function buildStandardisation(xs: readonly (readonly number[])[]): Standardisation {
  const width = xs[0]?.length ?? 0;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (const x of xs) for (let c = 0; c < width; c++) mean[c] = (mean[c] as number) + (x[c] as number) / xs.length;
  for (const x of xs)
    for (let c = 0; c < width; c++) std[c] = (std[c] as number) + ((x[c] as number) - (mean[c] as number)) ** 2 / xs.length;
  return { mean, std: std.map((v) => (Math.sqrt(v) > 1e-9 ? Math.sqrt(v) : 1)) };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Mean log-loss plus the L2 term, and its gradient, at (w, b) over standardised rows z. */
export function buildLossAndGradient(
  z: readonly (readonly number[])[],
  y: readonly number[],
  w: readonly number[],
  b: number,
  l2: number,
): { loss: number; gw: number[]; gb: number } {
  const n = z.length;
  const gw = w.map((wi) => l2 * wi);
  let gb = 0;
  let loss = (l2 / 2) * w.reduce((s, wi) => s + wi * wi, 0);
  for (let i = 0; i < n; i++) {
    const zi = z[i] as readonly number[];
    let logit = b;
    for (let c = 0; c < w.length; c++) logit += (w[c] as number) * (zi[c] as number);
    const p = sigmoid(logit);
    const yi = y[i] as number;
    // log(1 + e^-|l|) form: no overflow for large logits.
    loss += (Math.max(logit, 0) - logit * yi + Math.log1p(Math.exp(-Math.abs(logit)))) / n;
    const r = (p - yi) / n;
    for (let c = 0; c < w.length; c++) gw[c] = (gw[c] as number) + r * (zi[c] as number);
    gb += r;
  }
  return { loss, gw, gb };
}

/** One gradient-descent step; returns the new (w, b) and the loss before it. */
export function buildGradientStep(
  z: readonly (readonly number[])[],
  y: readonly number[],
  w: readonly number[],
  b: number,
  opts: Pick<FitOptions, 'l2' | 'learningRate'>,
): { w: number[]; b: number; loss: number } {
  const g = buildLossAndGradient(z, y, w, b, opts.l2);
  return { w: w.map((wi, c) => wi - opts.learningRate * (g.gw[c] as number)), b: b - opts.learningRate * g.gb, loss: g.loss };
}

export interface FitResult {
  params: LogisticParameters;
  /** Training loss per 10% of the epochs, for the log. */
  lossCurve: number[];
}

/** Standardises with the training rows' mean and std (baked into the graph) and fits from zero weights. */
export function fitLogistic(xs: readonly (readonly number[])[], ys: readonly number[], opts: FitOptions): FitResult {
  if (xs.length === 0) throw new Error('no training examples');
  const s = buildStandardisation(xs);
  const z = xs.map((x) => x.map((v, c) => (v - (s.mean[c] as number)) / (s.std[c] as number)));
  const base = ys.reduce((a, v) => a + v, 0) / ys.length;
  // Start at the base rate's log-odds: fewer epochs to converge, same optimum.
  let b = Math.log(Math.min(Math.max(base, 1e-3), 1 - 1e-3) / (1 - Math.min(Math.max(base, 1e-3), 1 - 1e-3)));
  let w = new Array<number>(s.mean.length).fill(0);
  const lossCurve: number[] = [];
  const every = Math.max(1, Math.floor(opts.epochs / 10));
  for (let e = 0; e < opts.epochs; e++) {
    const step = buildGradientStep(z, ys, w, b, opts);
    w = step.w;
    b = step.b;
    if (e % every === 0 || e === opts.epochs - 1) lossCurve.push(step.loss);
  }
  return { params: { mean: s.mean, std: s.std, weights: w, bias: b }, lossCurve };
}
