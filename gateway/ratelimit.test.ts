import { createRateLimiter } from './ratelimit';

function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

it('allows a burst, then refuses with the time until the next token', () => {
  const c = clock();
  const rl = createRateLimiter({ perSecond: 2, burst: 3, now: c.now });
  expect([1, 2, 3].map(() => rl.take('a').ok)).toEqual([true, true, true]);
  expect(rl.take('a')).toEqual({ ok: false, retryAfterMs: 500 });
  c.advance(250);
  expect(rl.take('a')).toEqual({ ok: false, retryAfterMs: 250 });
  c.advance(250);
  expect(rl.take('a')).toEqual({ ok: true });
  expect(rl.take('a').ok).toBe(false);
});

it('keeps one bucket per key', () => {
  const c = clock();
  const rl = createRateLimiter({ perSecond: 1, burst: 1, now: c.now });
  expect(rl.take('a').ok).toBe(true);
  expect(rl.take('a').ok).toBe(false);
  expect(rl.take('b').ok).toBe(true);
});

it('refills to the burst and no further', () => {
  const c = clock();
  const rl = createRateLimiter({ perSecond: 10, burst: 2, now: c.now });
  rl.take('a');
  c.advance(60_000);
  expect([1, 2, 3].map(() => rl.take('a').ok)).toEqual([true, true, false]);
});

it('is off at 0 per second', () => {
  const rl = createRateLimiter({ perSecond: 0, burst: 0 });
  for (let i = 0; i < 1000; i++) expect(rl.take('a').ok).toBe(true);
  expect(rl.size()).toBe(0);
});

it('bounds its memory under many distinct keys', () => {
  const c = clock();
  const rl = createRateLimiter({ perSecond: 1, burst: 5, maxKeys: 100, now: c.now });
  for (let i = 0; i < 1000; i++) rl.take(`k${i}`);
  expect(rl.size()).toBeLessThanOrEqual(100);
});
