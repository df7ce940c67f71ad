// The five queries of `npm run bench -- gateway`, each written twice: for our gateway and for
// Subsquid's server (its OpenCRUD dialect over the same schema/schema.graphql tables). Both servers
// must return the same data for the same parameters; the benchmark checks that once per query. The
// bound of each query is not written here: it is the statement our gateway itself runs for that
// query and those variables (gatewayStatements), straight through pg.
import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { Client } from 'pg';
import { compileQuery } from '../../gateway';

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
  },
];

/**
 * The bound's statements: for a request to our gateway, the one statement its fast lane runs for
 * that query text and those variables (gateway/index.ts compileQuery over the gateway's schema, the
 * same compiler), named as a prepared statement. Compiled once per distinct request and then
 * looked up, so that the bound's client does no more per request than pick and send.
 */
export function gatewayStatements(schema: GraphQLSchema): (req: GraphqlRequest) => SqlRequest {
  const byQuery = new Map<string, Map<string, SqlRequest>>();
  return (req) => {
    let byVars = byQuery.get(req.query);
    if (!byVars) {
      byVars = new Map();
      byQuery.set(req.query, byVars);
    }
    const key = JSON.stringify(req.variables);
    let r = byVars.get(key);
    if (!r) {
      // The variables as the gateway sees them: parsed from the request's JSON body.
      const compiled = compileQuery(schema, req.query, JSON.parse(key) as Record<string, unknown>);
      if (!compiled) throw new Error(`our gateway runs no single statement for ${req.query} (${key}): its resolvers answer it`);
      const name = `bench_${createHash('sha1').update(compiled.sql).digest('base64url').slice(0, 20)}`;
      r = { name, text: compiled.sql, values: compiled.params };
      byVars.set(key, r);
    }
    return r;
  };
}

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
