// Held-out metrics of a probabilistic classifier: ROC AUC, Brier score and reliability bins. Pure.

/** ROC AUC by the rank-sum (Mann-Whitney) statistic; tied scores count one half. NaN without both classes. */
export function buildAuc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((s, i) => ({ s, y: labels[i] as number })).sort((a, b) => a.s - b.s);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && (idx[j] as { s: number }).s === (idx[i] as { s: number }).s) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1..j
    for (let k = i; k < j; k++) {
      if ((idx[k] as { y: number }).y === 1) {
        pos++;
        rankSumPos += avgRank;
      } else neg++;
    }
    i = j;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean squared error of the probabilities. */
export function buildBrier(scores: readonly number[], labels: readonly number[]): number {
  if (scores.length === 0) return Number.NaN;
  return scores.reduce((s, p, i) => s + (p - (labels[i] as number)) ** 2, 0) / scores.length;
}

export interface ReliabilityBin {
  /** [lo, hi) of predicted probability; the last bin includes 1. */
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** Equal-width bins of predicted probability, with the observed positive rate in each. */
export function buildReliabilityBins(scores: readonly number[], labels: readonly number[], bins = 10): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: 0,
    meanPredicted: 0,
    observedRate: 0,
  }));
  scores.forEach((p, i) => {
    const bin = out[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))] as ReliabilityBin;
    bin.count++;
    bin.meanPredicted = (bin.meanPredicted as number) + p;
    bin.observedRate = (bin.observedRate as number) + (labels[i] as number);
  });
  for (const bin of out) {
    bin.meanPredicted = bin.count ? (bin.meanPredicted as number) / bin.count : null;
    bin.observedRate = bin.count ? (bin.observedRate as number) / bin.count : null;
  }
  return out;
}

/** Expected calibration error: count-weighted mean |predicted - observed| over the bins. */
export function buildEce(bins: readonly ReliabilityBin[]): number {
  const n = bins.reduce((s, b) => s + b.count, 0);
  if (n === 0) return Number.NaN;
  return bins.reduce((s, b) => s + (b.count ? (b.count / n) * Math.abs((b.meanPredicted as number) - (b.observedRate as number)) : 0), 0);
}
