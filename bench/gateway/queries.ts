// The five queries of `npm run bench -- gateway`, each written three times: for our gateway, for
// Subsquid's server (its OpenCRUD dialect over the same schema/schema.graphql tables) and as the SQL
// statement that answers it alone (the bound: one statement, JSON built in Postgres). Both servers
// must return the same data for the same parameters; the benchmark checks that once per query.
import type { Client } from 'pg';

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

export interface SqlRequest {
  name: string;
  text: string;
  values: unknown[];
}

/** Values sampled once from the indexed database; each request picks one at random. */
export interface Samples {
  netuids: number[];
  providers: string[];
  jobIds: number[];
  minPayments: string[];
}

export interface BenchQuery {
  name: string;
  /** One request's parameters, picked from the samples. */
  pick(s: Samples, rnd: () => number): Record<string, string | number>;
  ours(p: Record<string, string | number>): GraphqlRequest;
  peer(p: Record<string, string | number>): GraphqlRequest;
  sql(p: Record<string, string | number>): SqlRequest;
}

const any = <T>(xs: T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!;

const JOB_FIELDS = 'id jobId state payment workEstimate postedAt deadline';
const LIST_MARKET = 'market { id marketId name kind usdPerUnit }';
const LIST_PROVIDER = 'provider { id gpuModel vramGb tier }';
const NEURON_FIELDS = 'id uid hotkey coldkey stake incentive dividends validatorTrust totalEmission validatorPermit';
const EPOCH_FIELDS = 'marketId epoch jobsApproved workUnits workReward availabilityReward available';
const EVENT_FIELDS = 'id kind actor blockNumber timestamp txHash';
const DEEP_STATES = ['APPROVED', 'COMPLETED', 'CLAIMED'];
const DEEP_KINDS = ['RENDER', 'INFERENCE'];

// SQL fragments: JSON objects of the same fields, numeric as strings and times as ISO text with
// milliseconds (as both servers print them).
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const jobJson = (t: string) =>
  `'id', ${t}.id, 'jobId', ${t}.job_id, 'state', ${t}.state, 'payment', ${t}.payment::text, 'workEstimate', ${t}.work_estimate::text, ` +
  `'postedAt', ${iso(`${t}.posted_at`)}, 'deadline', ${iso(`${t}.deadline`)}`;
const marketJson = (m: string) =>
  `json_build_object('id', ${m}.id, 'marketId', ${m}.market_id, 'name', ${m}.name, 'kind', ${m}.kind, 'usdPerUnit', ${m}.usd_per_unit::text)`;
const providerJson = (p: string) =>
  `json_build_object('id', ${p}.id, 'gpuModel', ${p}.gpu_model, 'vramGb', ${p}.vram_gb, 'tier', ${p}.tier)`;

export const QUERIES: BenchQuery[] = [
  {
    name: 'list page: 50 newest jobs with provider and market',
    pick: () => ({}),
    ours: () => ({
      query: `query ListPage { jobs(first: 50, orderBy: postedAt, orderDirection: DESC) { items { ${JOB_FIELDS} ${LIST_MARKET} ${LIST_PROVIDER} } } }`,
      variables: {},
    }),
    peer: () => ({
      query: `query ListPage { jobs(limit: 50, orderBy: [postedAt_DESC, id_DESC]) { ${JOB_FIELDS} ${LIST_MARKET} ${LIST_PROVIDER} } }`,
      variables: {},
    }),
    sql: () => ({
      name: 'bench_list',
      text:
        `SELECT coalesce(json_agg(json_build_object(${jobJson('j')}, 'market', ${marketJson('m')}, 'provider', ` +
        `CASE WHEN p.id IS NULL THEN NULL ELSE ${providerJson('p')} END) ORDER BY j.posted_at DESC, j.id DESC), '[]') AS data ` +
        `FROM (SELECT * FROM job ORDER BY posted_at DESC, id DESC LIMIT 50) j JOIN market m ON m.id = j.market_id LEFT JOIN provider p ON p.id = j.provider_id`,
      values: [],
    }),
  },
  {
    name: "subnet's neuron ranking: top 50 by emission",
    pick: (s, rnd) => ({ netuid: any(s.netuids, rnd) }),
    ours: (p) => ({
      query: `query Ranking($netuid: Int!) { neurons(where: { netuid: $netuid }, orderBy: totalEmission, orderDirection: DESC, first: 50) { items { ${NEURON_FIELDS} } } }`,
      variables: p,
    }),
    peer: (p) => ({
      query: `query Ranking($netuid: Int!) { neurons(where: { netuid_eq: $netuid }, orderBy: [totalEmission_DESC, id_DESC], limit: 50) { ${NEURON_FIELDS} } }`,
      variables: p,
    }),
    sql: (p) => ({
      name: 'bench_ranking',
      text:
        `SELECT coalesce(json_agg(json_build_object('id', n.id, 'uid', n.uid, 'hotkey', n.hotkey, 'coldkey', n.coldkey, 'stake', n.stake::text, ` +
        `'incentive', n.incentive, 'dividends', n.dividends, 'validatorTrust', n.validator_trust, 'totalEmission', n.total_emission::text, ` +
        `'validatorPermit', n.validator_permit) ORDER BY n.total_emission DESC, n.id DESC), '[]') AS data ` +
        `FROM (SELECT * FROM neuron WHERE netuid = $1 ORDER BY total_emission DESC, id DESC LIMIT 50) n`,
      values: [p.netuid],
    }),
  },
  {
    name: "provider's earnings series: 100 newest epochs",
    pick: (s, rnd) => ({ address: any(s.providers, rnd) }),
    ours: (p) => ({
      query: `query Earnings($address: String!) { provider(address: $address) { id gpuModel earnings workRewards availabilityRewards epochs(first: 100, orderBy: epoch, orderDirection: DESC) { items { ${EPOCH_FIELDS} } } } }`,
      variables: p,
    }),
    peer: (p) => ({
      query: `query Earnings($address: String!) { providerById(id: $address) { id gpuModel earnings workRewards availabilityRewards epochs(orderBy: [epoch_DESC, id_DESC], limit: 100) { ${EPOCH_FIELDS} } } }`,
      variables: p,
    }),
    sql: (p) => ({
      name: 'bench_earnings',
      text:
        `SELECT json_build_object('id', p.id, 'gpuModel', p.gpu_model, 'earnings', p.earnings::text, 'workRewards', p.work_rewards::text, ` +
        `'availabilityRewards', p.availability_rewards::text, 'epochs', (SELECT coalesce(json_agg(json_build_object('marketId', e.market_id, ` +
        `'epoch', e.epoch, 'jobsApproved', e.jobs_approved, 'workUnits', e.work_units::text, 'workReward', e.work_reward::text, ` +
        `'availabilityReward', e.availability_reward::text, 'available', e.available) ORDER BY e.epoch DESC, e.id DESC), '[]') ` +
        `FROM (SELECT * FROM provider_epoch WHERE provider_id = p.id ORDER BY epoch DESC, id DESC LIMIT 100) e)) AS data FROM provider p WHERE p.id = $1`,
      values: [p.address],
    }),
  },
  {
    name: 'job timeline by id: job, market, provider and its events',
    pick: (s, rnd) => ({ jobId: any(s.jobIds, rnd) }),
    ours: (p) => ({
      query: `query Timeline($jobId: Int!) { job(jobId: $jobId) { ${JOB_FIELDS} market { id name } provider { id gpuModel } events(first: 50) { items { ${EVENT_FIELDS} } } } }`,
      variables: p,
    }),
    peer: (p) => ({
      query: `query Timeline($id: String!) { jobById(id: $id) { ${JOB_FIELDS} market { id name } provider { id gpuModel } events(orderBy: [blockNumber_ASC, id_ASC], limit: 50) { ${EVENT_FIELDS} } } }`,
      variables: { id: String(p.jobId) },
    }),
    sql: (p) => ({
      name: 'bench_timeline',
      text:
        `SELECT json_build_object(${jobJson('j')}, 'market', json_build_object('id', m.id, 'name', m.name), 'provider', ` +
        `CASE WHEN pr.id IS NULL THEN NULL ELSE json_build_object('id', pr.id, 'gpuModel', pr.gpu_model) END, 'events', ` +
        `(SELECT coalesce(json_agg(json_build_object('id', e.id, 'kind', e.kind, 'actor', e.actor, 'blockNumber', e.block_number, ` +
        `'timestamp', ${iso('e.timestamp')}, 'txHash', e.tx_hash) ORDER BY e.block_number, e.id), '[]') ` +
        `FROM (SELECT * FROM job_event WHERE job_id = j.id ORDER BY block_number, id LIMIT 50) e)) AS data ` +
        `FROM job j JOIN market m ON m.id = j.market_id LEFT JOIN provider pr ON pr.id = j.provider_id WHERE j.job_id = $1`,
      values: [p.jobId],
    }),
  },
  {
    name: 'deep filter: jobs by state, payment, market kind and provider tier, by payment',
    pick: (s, rnd) => ({ minPayment: any(s.minPayments, rnd) }),
    ours: (p) => ({
      query: `query Deep($minPayment: BigInt!) { jobs(where: { state_in: [${DEEP_STATES.join(', ')}], payment_gte: $minPayment, market_: { kind_in: [${DEEP_KINDS.join(', ')}] }, provider_: { tier_gte: 2 } }, orderBy: payment, orderDirection: DESC, first: 50) { items { ${JOB_FIELDS} ${LIST_MARKET} ${LIST_PROVIDER} } } }`,
      variables: p,
    }),
    peer: (p) => ({
      query: `query Deep($minPayment: BigInt!) { jobs(where: { state_in: [${DEEP_STATES.join(', ')}], payment_gte: $minPayment, market: { kind_in: [${DEEP_KINDS.join(', ')}] }, provider: { tier_gte: 2 } }, orderBy: [payment_DESC, id_DESC], limit: 50) { ${JOB_FIELDS} ${LIST_MARKET} ${LIST_PROVIDER} } }`,
      variables: p,
    }),
    sql: (p) => ({
      name: 'bench_deep',
      text:
        `SELECT coalesce(json_agg(json_build_object(${jobJson('j')}, 'market', ${marketJson('m')}, 'provider', ${providerJson('p')}) ` +
        `ORDER BY j.payment DESC, j.id DESC), '[]') AS data FROM (SELECT * FROM job WHERE state = ANY($1::text[]) AND payment >= $2::numeric ` +
        `AND market_id IN (SELECT id FROM market WHERE kind = ANY($3::text[])) AND provider_id IN (SELECT id FROM provider WHERE tier >= 2) ` +
        `ORDER BY payment DESC, id DESC LIMIT 50) j JOIN market m ON m.id = j.market_id JOIN provider p ON p.id = j.provider_id`,
      values: [DEEP_STATES, p.minPayment, DEEP_KINDS],
    }),
  },
];

/** Parameters from the indexed data: subnets with neurons, providers with epochs, jobs with events. */
export async function sampleParameters(db: Client): Promise<Samples> {
  const col = async <T>(sql: string) => (await db.query(sql)).rows.map((r) => Object.values(r)[0] as T);
  const netuids = await col<number>('SELECT DISTINCT netuid FROM neuron ORDER BY 1');
  let providers = await col<string>(
    'SELECT provider_id FROM provider_epoch GROUP BY provider_id ORDER BY count(*) DESC, provider_id LIMIT 100',
  );
  if (providers.length === 0) providers = await col<string>('SELECT id FROM provider ORDER BY id LIMIT 100');
  let jobIds = await col<number>(
    'SELECT j.job_id FROM job j WHERE j.id IN (SELECT job_id FROM job_event GROUP BY job_id HAVING count(*) > 2) ORDER BY md5(j.id) LIMIT 500',
  );
  if (jobIds.length === 0) jobIds = await col<number>('SELECT job_id FROM job ORDER BY md5(id) LIMIT 500');
  // Payment thresholds at the 50th..90th percentiles: the filter keeps between half and a tenth of the jobs.
  const minPayments = await col<string>(
    'SELECT (percentile_disc(q) WITHIN GROUP (ORDER BY payment))::text FROM job, unnest(ARRAY[0.5, 0.6, 0.7, 0.8, 0.9]) q GROUP BY q ORDER BY q',
  );
  for (const [k, v] of Object.entries({ netuids, providers, jobIds, minPayments })) {
    if (v.length === 0) throw new Error(`bench gateway: the indexed history has no rows for ${k}`);
  }
  return { netuids, providers, jobIds, minPayments };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * An answer in a form both servers share: our pages (`{ items }`) as plain lists, and times to
 * milliseconds (Subsquid prints microseconds, we print what Date#toISOString does).
 */
export function unwrapItems(v: unknown): unknown {
  if (typeof v === 'string' && ISO.test(v)) return new Date(v).toISOString();
  if (Array.isArray(v)) return v.map(unwrapItems);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'items') return unwrapItems(o.items);
    return Object.fromEntries(keys.map((k) => [k, unwrapItems(o[k])]));
  }
  return v;
}
