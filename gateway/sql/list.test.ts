import { Job, JobEvent } from '../entities';
import { BadUserInputError } from '../errors';
import { buildCountQuery, buildListQuery, buildPageInfo, checkListArgs, decodeCursor, encodeCursor } from './list';

describe('cursors', () => {
  it('round-trip as base64url and are checked against the order', () => {
    const c = encodeCursor({ orderBy: 'payment', value: '12345678901234567890', id: '9' });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(Job, 'payment', c)).toEqual({ orderBy: 'payment', value: '12345678901234567890', id: '9' });
    expect(() => decodeCursor(Job, 'jobId', c)).toThrow(/made for orderBy payment/);
  });

  it('reject garbage, wrong shapes and values that do not fit the field', () => {
    for (const bad of [
      '',
      'not base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      encodeCursor({ orderBy: 'jobId', value: 'x', id: '1' }),
    ]) {
      expect(() => decodeCursor(Job, 'jobId', bad)).toThrow(BadUserInputError);
    }
  });
});

describe('checkListArgs', () => {
  it('defaults to the entity order, ASC and 50 rows', () => {
    expect(checkListArgs(Job, {})).toEqual({ where: undefined, orderBy: 'jobId', direction: 'ASC', first: 50, after: undefined });
  });

  it('accepts 0..1000 rows only', () => {
    expect(checkListArgs(Job, { first: 1000 }).first).toBe(1000);
    expect(checkListArgs(Job, { first: 0 }).first).toBe(0);
    expect(() => checkListArgs(Job, { first: 1001 })).toThrow(BadUserInputError);
    expect(() => checkListArgs(Job, { first: -1 })).toThrow(BadUserInputError);
  });

  it('refuses to order by a nullable field', () => {
    expect(() => checkListArgs(Job, { orderBy: 'claimedAtBlock' })).toThrow(/cannot be ordered/);
  });
});

describe('buildListQuery', () => {
  it('selects one extra row after the cursor, in (key, id) order', () => {
    const args = checkListArgs(Job, {
      where: { state: 'POSTED' },
      orderBy: 'payment',
      orderDirection: 'DESC',
      first: 10,
      after: encodeCursor({ orderBy: 'payment', value: '500', id: '3' }),
    });
    const st = buildListQuery(Job, args);
    expect(st.sql).toMatch(
      /FROM "job" WHERE "state" = \$1::text AND \("payment", "id"\) < \(\$2::numeric, \$3::text\) ORDER BY "payment" DESC, "id" DESC LIMIT \$4::int4$/,
    );
    expect(st.sql).toContain('"payment" AS "payment"');
    expect(st.sql).toContain('"market_id" AS "market"');
    expect(st.params).toEqual(['POSTED', '500', '3', 11]);
  });

  it('reads a page per parent through a lateral join', () => {
    const args = checkListArgs(JobEvent, { first: 2 });
    const st = buildListQuery(JobEvent, args, { column: 'job_id', ids: ['1', '2'] });
    expect(st.sql).toContain('FROM unnest($1::text[]) WITH ORDINALITY');
    expect(st.sql).toContain('CROSS JOIN LATERAL');
    expect(st.sql).toContain('WHERE "job_id" = "__p"."id"');
    expect(st.params).toEqual([['1', '2'], 3]);
  });

  it('counts ignoring the cursor, per parent with GROUP BY', () => {
    expect(buildCountQuery(Job, { jobId_gt: 1 })).toEqual({
      sql: 'SELECT count(*)::int AS "n" FROM "job" WHERE "job_id" > $1::int4',
      params: [1],
    });
    expect(buildCountQuery(Job, null, { column: 'market_id', ids: ['1'] }).sql).toBe(
      'SELECT "market_id" AS "__parent", count(*)::int AS "n" FROM "job" WHERE "market_id" = ANY($1::text[]) GROUP BY "market_id"',
    );
  });
});

describe('buildPageInfo', () => {
  it('cuts the probe row and makes the cursor from the last item (dates as ISO)', () => {
    const args = checkListArgs(Job, { orderBy: 'postedAt', first: 2 });
    const rows = [1, 2, 3].map((i) => ({ id: String(i), postedAt: new Date(Date.UTC(2025, 0, i)) }));
    const page = buildPageInfo(rows, args);
    expect(page.items.map((r) => r.id)).toEqual(['1', '2']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(Job, 'postedAt', page.pageInfo.endCursor as string)).toEqual({
      orderBy: 'postedAt',
      value: '2025-01-02T00:00:00.000Z',
      id: '2',
    });
    expect(buildPageInfo([], args).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
