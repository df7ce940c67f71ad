import { buildProgressLine, formatEta } from './progress';

describe('progress line', () => {
  it('shows rates, percentage and ETA during a backfill', () => {
    const line = buildProgressLine({
      from: 0,
      head: 10_000,
      prev: { at: 0, height: 2_000, events: 10_000 },
      now: { at: 5_000, height: 4_500, events: 35_000 },
      following: false,
    });
    expect(line).toBe('indexer: block 4,500 / 10,000 (45.0%), 500 blocks/s, 5,000 events/s, ETA 11 s');
  });

  it('shows the lag when following the head', () => {
    const line = buildProgressLine({
      from: 0,
      head: 105,
      prev: { at: 0, height: 90, events: 10 },
      now: { at: 10_000, height: 103, events: 30 },
      following: true,
    });
    expect(line).toBe('indexer: following at block 103, lag 2 blocks, 2 events/s');
  });

  it('says ? when nothing moved, and scales long ETAs', () => {
    expect(
      buildProgressLine({
        from: 0,
        head: 50,
        prev: { at: 0, height: 5, events: 0 },
        now: { at: 1000, height: 5, events: 0 },
        following: false,
      }),
    ).toMatch(/ETA \?$/);
    expect(formatEta(600)).toBe('10 min');
    expect(formatEta(36_000)).toBe('10.0 h');
  });
});
