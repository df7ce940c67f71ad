import { Job, JobEvent, Provider, Subnet } from '../entities';
import { BadUserInputError } from '../errors';
import { compileWhere, filterKeyNames } from './filter';
import { SqlParams } from './params';

function compile(spec: Parameters<typeof compileWhere>[0], where: Parameters<typeof compileWhere>[1], outer?: string) {
  const params = new SqlParams();
  const sql = compileWhere(spec, where, params, outer);
  return { sql, params: params.values };
}

describe('compileWhere', () => {
  it('returns no condition for an absent or empty where', () => {
    expect(compile(Job, undefined).sql).toBeUndefined();
    expect(compile(Job, {}).sql).toBeUndefined();
  });

  it('binds every comparison operator with the column type', () => {
    const { sql, params } = compile(Job, {
      jobId: 7,
      jobId_not: 8,
      payment_gt: '100',
      payment_gte: '101',
      postedAtBlock_lt: 5,
      postedAtBlock_lte: 6,
    });
    expect(sql).toBe(
      '("job_id" = $1::int4 AND "job_id" IS DISTINCT FROM $2::int4 AND "payment" > $3::numeric AND "payment" >= $4::numeric' +
        ' AND "posted_at_block" < $5::int4 AND "posted_at_block" <= $6::int4)',
    );
    expect(params).toEqual([7, 8, '100', '101', 5, 6]);
  });

  it('binds lists for _in and _not_in; _not_in keeps NULLs of a nullable column', () => {
    const { sql, params } = compile(Job, { state_in: ['POSTED', 'CLAIMED'], provider_not_in: ['0xAB'], jobId_not_in: [1] });
    expect(sql).toBe('("state" = ANY($1::text[]) AND COALESCE("provider_id" <> ALL($2::text[]), TRUE) AND "job_id" <> ALL($3::int4[]))');
    expect(params).toEqual([['POSTED', 'CLAIMED'], ['0xab'], [1]]);
  });

  it('lowercases address and hash values, not other strings', () => {
    const { params } = compile(Subnet, { owner: '0xABCdef', name: 'Text' });
    expect(params).toEqual(['0xabcdef', 'Text']);
    expect(compile(Provider, { id_in: ['0xAA'] }).params).toEqual([['0xaa']]);
  });

  it('uses strpos / starts_with for string matching, so % and _ in input are literal', () => {
    const { sql, params } = compile(Subnet, { name_contains: '50%_x', name_starts_with: 'a_', name_not_contains: 'z' });
    expect(sql).toBe('(strpos("name", $1::text) > 0 AND starts_with("name", $2::text) AND COALESCE(strpos("name", $3::text) = 0, TRUE))');
    expect(params).toEqual(['50%_x', 'a_', 'z']);
  });

  it('turns DateTime values into ISO strings bound as timestamptz', () => {
    const { sql, params } = compile(Job, { postedAt_gte: new Date('2025-01-02T03:04:05.678Z') });
    expect(sql).toBe('"posted_at" >= $1::timestamptz');
    expect(params).toEqual(['2025-01-02T03:04:05.678Z']);
  });

  it('maps explicit null to IS NULL / IS NOT NULL and ignores it on other operators', () => {
    expect(compile(Job, { provider: null }).sql).toBe('"provider_id" IS NULL');
    expect(compile(Job, { provider_not: null }).sql).toBe('"provider_id" IS NOT NULL');
    expect(compile(Job, { payment_gt: null }).sql).toBeUndefined();
  });

  it('nests and / or, with the identities for empty lists', () => {
    const { sql, params } = compile(Job, { market: '1', or: [{ state: 'POSTED' }, { and: [{ payment_gt: '5' }, { provider: null }] }] });
    expect(sql).toBe('("market_id" = $1::text AND ("state" = $2::text OR ("payment" > $3::numeric AND "provider_id" IS NULL)))');
    expect(params).toEqual(['1', 'POSTED', '5']);
    expect(compile(Job, { or: [] }).sql).toBe('FALSE');
    expect(compile(Job, { and: [] }).sql).toBe('TRUE');
    expect(compile(Job, { or: [{}] }).sql).toBe('(TRUE)');
  });

  it('rejects unknown filters and values of the wrong type as BAD_USER_INPUT', () => {
    expect(() => compile(Job, { nope: 1 })).toThrow(BadUserInputError);
    expect(() => compile(Job, { market_gt: '1' })).toThrow(/no filter market_gt/);
    expect(() => compile(Job, { state: 'DONE' })).toThrow(BadUserInputError);
    expect(() => compile(Job, { payment: '1.5' })).toThrow(BadUserInputError);
    expect(() => compile(Job, { jobId: 1.5 })).toThrow(BadUserInputError);
    expect(() => compile(Job, { jobId_in: 3 })).toThrow(/expected a list/);
  });

  it('compiles relation_ filters to a semi-join on the foreign key, nested and with the parameters in order', () => {
    const { sql, params } = compile(JobEvent, { kind: 'CLAIMED', job_: { state: 'POSTED', market_: { kind: 'RENDER' } } });
    expect(sql).toBe(
      '("kind" = $1::text AND "job_id" IN (SELECT "id" FROM "job" WHERE ("state" = $2::text AND "market_id" IN (SELECT "id" FROM "market" WHERE "kind" = $3::text))))',
    );
    expect(params).toEqual(['CLAIMED', 'POSTED', 'RENDER']);
    // An empty filter means "has one"; null means no condition.
    expect(compile(Job, { provider_: {} }).sql).toBe('"provider_id" IN (SELECT "id" FROM "provider" WHERE TRUE)');
    expect(compile(Job, { provider_: null }).sql).toBeUndefined();
    expect(() => compile(Job, { market_: { nope: 1 } })).toThrow(/Market has no filter nope/);
    expect(() => compile(Job, { sender_: {} })).toThrow(/no filter sender_/);
    expect(filterKeyNames(Job)).toEqual(expect.arrayContaining(['market_', 'provider_']));
  });

  it('compiles relation_ filters to a per-row lookup of the related row with an outer alias, in and/or too', () => {
    const { sql, params } = compile(Job, { or: [{ provider_: { tier_gte: 2 } }, { provider: null }] }, '"j"');
    expect(sql).toBe(
      '(EXISTS (SELECT 1 FROM "provider" WHERE "id" = "j"."provider_id" AND "tier" >= $1::int4 OFFSET 0) OR "provider_id" IS NULL)',
    );
    expect(params).toEqual([2]);
  });

  it('offers suffixes by kind: ordered ones on numbers, matching on strings, equality on enums and relations', () => {
    const keys = filterKeyNames(Job);
    expect(keys).toEqual(expect.arrayContaining(['payment_lte', 'sender_starts_with', 'state_in', 'market_not_in']));
    expect(keys).not.toContain('state_gt');
    expect(keys).not.toContain('payment_contains');
    expect(keys).not.toContain('market_gt');
  });
});
