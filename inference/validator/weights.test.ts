import { scoresToWeights, WeightsInputError } from './weights';

describe('scoresToWeights', () => {
  it('gives the best miner 65535 and the others (score / best)^2 of it, uids ascending', () => {
    const row = scoresToWeights([
      { uid: 7, score: 0.4 },
      { uid: 2, score: 0.8 },
      { uid: 5, score: 0.2 },
    ]);
    expect(row).toEqual({ uids: [2, 5, 7], values: [65535, Math.round(65535 / 16), Math.round(65535 / 4)] });
  });

  it('keeps the order of the scores in the order of the values (monotone)', () => {
    const scores = Array.from({ length: 50 }, (_, i) => ({ uid: (i * 17) % 50, score: ((i * 37) % 101) / 100 + 0.01 }));
    const row = scoresToWeights(scores, { sharpness: 1.5 });
    const valueByUid = new Map(row.uids.map((u, k) => [u, row.values[k] as number]));
    for (const a of scores) {
      for (const b of scores) {
        if (a.score > b.score) expect(valueByUid.get(a.uid) ?? 0).toBeGreaterThanOrEqual(valueByUid.get(b.uid) ?? 0);
      }
    }
    for (let k = 1; k < row.uids.length; k++) expect(row.uids[k]).toBeGreaterThan(row.uids[k - 1] as number);
    expect(Math.max(...row.values)).toBe(65535);
    for (const v of row.values) expect(Number.isInteger(v) && v >= 1 && v <= 65535).toBe(true);
  });

  it('is proportional with sharpness 1, and drops miners that round to 0', () => {
    expect(
      scoresToWeights(
        [
          { uid: 0, score: 1 },
          { uid: 1, score: 0.5 },
          { uid: 2, score: 1e-7 },
          { uid: 3, score: 0 },
        ],
        { sharpness: 1 },
      ),
    ).toEqual({ uids: [0, 1], values: [65535, 32768] });
  });

  it('leaves out the validator itself and keeps only the top k (ties to the lower uid)', () => {
    const scores = [
      { uid: 0, score: 0.9 },
      { uid: 1, score: 0.5 },
      { uid: 2, score: 0.5 },
      { uid: 3, score: 0.1 },
    ];
    expect(scoresToWeights(scores, { excludeUid: 0, topK: 1 })).toEqual({ uids: [1], values: [65535] });
    expect(scoresToWeights(scores, { topK: 2, sharpness: 1 }).uids).toEqual([0, 1]);
  });

  it('returns an empty row when nothing scores above 0', () => {
    expect(scoresToWeights([])).toEqual({ uids: [], values: [] });
    expect(scoresToWeights([{ uid: 3, score: 0 }])).toEqual({ uids: [], values: [] });
  });

  it('refuses NaN, negative scores, duplicate or non-u16 uids and a bad sharpness', () => {
    expect(() => scoresToWeights([{ uid: 1, score: Number.NaN }])).toThrow(WeightsInputError);
    expect(() => scoresToWeights([{ uid: 1, score: -0.1 }])).toThrow(/finite number/);
    expect(() =>
      scoresToWeights([
        { uid: 1, score: 0.1 },
        { uid: 1, score: 0.2 },
      ]),
    ).toThrow(/twice/);
    expect(() => scoresToWeights([{ uid: 70000, score: 0.1 }])).toThrow(/u16/);
    expect(() => scoresToWeights([{ uid: 1, score: 0.1 }], { sharpness: 0 })).toThrow(/sharpness/);
  });
});
