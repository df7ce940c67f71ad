/**
 * Rankings as analysts ask for them, one SQL statement each over the index-time tables (SubnetEpoch,
 * NeuronEpoch, MarketEpoch/ProviderEpoch, StakeEvent, Job, JobEvent). Pure: returns SQL and parameters,
 * and (REPUTATION) turns the rows read for a past score into feature rows.
 *
 * A window ends at the newest indexed block's time (the chain's clock, not the server's, so a
 * replayed or paused chain ranks the same) and is rolling: HOUR, DAY or WEEK is (now − length, now];
 * ALL is the whole history. Every row has a `value` and, for a bounded window, a `change`:
 * - flows (emission, earnings, work, volume, jobs, stake growth): value = the total in the window,
 *   change = value − the total in the window before it (same length);
 * - levels (stake, neuron count, the last epoch's u16 results, success rate, reputation): value = now,
 *   change = now − at the window's start (stake: minus the net stake added in the window; neurons: minus
 *   uids added in it; u16 results: minus the neuron's value in the subnet's last epoch at or before the
 *   window's start; success rate: minus the rate over the reviews indexed at or before it; reputation:
 *   minus the model's score of the features as of it, see buildReputationBaseline).
 * Rows are ranked by value, largest first (SQL RANK: ties share a rank), ties listed by id.
 *
 * Block times never decrease along the chain, so "at or before a time" is also "up to a block": the
 * statements below use that to bound index scans by block where only a time index is at hand.
 */
import { isProviderFeature } from '../inference/features/provider-features';
import {
  buildHistoryFeatureRows,
  isProviderHistoryFeature,
  type JobEventRow,
  type ProviderHistoryFeatureName,
  type ProviderInfo,
} from '../inference/features/provider-history';

export type RankingWindow = 'HOUR' | 'DAY' | 'WEEK' | 'ALL';
export type SubnetRankingBy = 'EMISSION' | 'STAKE' | 'NEURONS' | 'GROWTH';
export type NeuronRankingBy = 'INCENTIVE' | 'DIVIDENDS' | 'VALIDATOR_TRUST' | 'EMISSION' | 'STAKE';
export type ProviderRankingBy = 'REPUTATION' | 'EARNINGS' | 'WORK' | 'SUCCESS_RATE';
export type MarketRankingBy = 'VOLUME' | 'JOBS';

export const WINDOW_INTERVAL: Record<Exclude<RankingWindow, 'ALL'>, string> = { HOUR: '1 hour', DAY: '1 day', WEEK: '7 days' };

/** One ranked row: `id` of the entity, value and change as exact decimal text. */
export interface RankingRow {
  rank: number;
  id: string;
  value: string;
  change: string | null;
}

export interface RankingStatement {
  sql: string;
  params: unknown[];
}

// $1 is the window's interval: `w` holds its start and the previous window's start.
const WINDOW_CTE = `"w" AS (SELECT "t"."now" - $1::interval AS "start", "t"."now" - 2 * $1::interval AS "prev"
  FROM (SELECT "timestamp" AS "now" FROM "chain_event" ORDER BY "block_number" DESC LIMIT 1) "t")`;

/** Ranks `(id, value, change)` rows by value, then id; `$limit` is the last parameter. */
function ranked(ctes: string[], body: string, params: unknown[], limit: number): RankingStatement {
  params.push(limit);
  const withs = ctes.length ? `WITH ${ctes.join(', ')} ` : '';
  return {
    sql:
      `${withs}SELECT RANK() OVER (ORDER BY "r"."value" DESC)::int AS "rank", "r"."id", "r"."value"::text AS "value", "r"."change"::text AS "change" ` +
      `FROM (${body}) "r" ORDER BY "r"."value" DESC, "r"."id" LIMIT $${params.length}::int`,
    params,
  };
}

/** Net stake added (ADD − REMOVE) per `key` in (from, to] of the window CTE. */
const netStake = (key: string, from: string, to: string | null, extra = '') =>
  `SELECT ${key}, sum(CASE WHEN "e"."kind" = 'ADD' THEN "e"."amount" ELSE -"e"."amount" END) AS "v" FROM "stake_event" "e", "w"
   WHERE "e"."timestamp" > "w"."${from}"${to ? ` AND "e"."timestamp" <= "w"."${to}"` : ''}${extra} GROUP BY ${key}`;

export function buildSubnetRanking(by: SubnetRankingBy, window: RankingWindow, limit: number): RankingStatement {
  if (window === 'ALL') {
    // Over the whole history a flow is its total; there is no earlier window to compare with.
    const col = { EMISSION: '"total_emission"', STAKE: '"total_stake"', NEURONS: '"neuron_count"', GROWTH: '"total_stake"' }[by];
    return ranked([], `SELECT "id", ${col} AS "value", NULL::numeric AS "change" FROM "subnet"`, [], limit);
  }
  const params: unknown[] = [WINDOW_INTERVAL[window]];
  const ctes = [WINDOW_CTE];
  switch (by) {
    case 'EMISSION': {
      const sum = (from: string, to: string | null) =>
        `SELECT "netuid", sum("emission") AS "v" FROM "subnet_epoch", "w" WHERE "timestamp" > "w"."${from}"${to ? ` AND "timestamp" <= "w"."${to}"` : ''} GROUP BY "netuid"`;
      ctes.push(`"cur" AS (${sum('start', null)})`, `"pre" AS (${sum('prev', 'start')})`);
      return ranked(
        ctes,
        `SELECT "s"."id", COALESCE("cur"."v", 0) AS "value", COALESCE("cur"."v", 0) - COALESCE("pre"."v", 0) AS "change"
           FROM "subnet" "s" LEFT JOIN "cur" ON "cur"."netuid" = "s"."netuid" LEFT JOIN "pre" ON "pre"."netuid" = "s"."netuid"`,
        params,
        limit,
      );
    }
    case 'STAKE':
      ctes.push(`"cur" AS (${netStake('"e"."netuid"', 'start', null)})`);
      return ranked(
        ctes,
        `SELECT "s"."id", "s"."total_stake" AS "value", COALESCE("cur"."v", 0) AS "change" FROM "subnet" "s" LEFT JOIN "cur" ON "cur"."netuid" = "s"."netuid"`,
        params,
        limit,
      );
    case 'GROWTH':
      ctes.push(`"cur" AS (${netStake('"e"."netuid"', 'start', null)})`, `"pre" AS (${netStake('"e"."netuid"', 'prev', 'start')})`);
      return ranked(
        ctes,
        `SELECT "s"."id", COALESCE("cur"."v", 0) AS "value", COALESCE("cur"."v", 0) - COALESCE("pre"."v", 0) AS "change"
           FROM "subnet" "s" LEFT JOIN "cur" ON "cur"."netuid" = "s"."netuid" LEFT JOIN "pre" ON "pre"."netuid" = "s"."netuid"`,
        params,
        limit,
      );
    case 'NEURONS':
      // A registration takes a new uid unless a NeuronReplaced accompanies it; the name index
      // narrows chain_event to these two events.
      ctes.push(`"cur" AS (SELECT "c"."netuid",
          count(*) FILTER (WHERE "c"."name" = 'NeuronRegistered') - count(*) FILTER (WHERE "c"."name" = 'NeuronReplaced') AS "v"
        FROM "chain_event" "c", "w" WHERE "c"."name" IN ('NeuronRegistered', 'NeuronReplaced') AND "c"."contract" = 'registry' AND "c"."timestamp" > "w"."start"
        GROUP BY 1)`);
      return ranked(
        ctes,
        `SELECT "s"."id", "s"."neuron_count" AS "value", COALESCE("cur"."v", 0) AS "change" FROM "subnet" "s" LEFT JOIN "cur" ON "cur"."netuid" = "s"."netuid"`,
        params,
        limit,
      );
  }
}

const NEURON_COLUMN = { INCENTIVE: 'incentive', DIVIDENDS: 'dividends', VALIDATOR_TRUST: 'validator_trust' } as const;

export function buildNeuronRanking(netuid: number, by: NeuronRankingBy, window: RankingWindow, limit: number): RankingStatement {
  const all = window === 'ALL';
  // $1 is the window's interval when there is one (WINDOW_CTE), then the netuid.
  const params: unknown[] = all ? [netuid] : [WINDOW_INTERVAL[window], netuid];
  const nu = all ? '$1::int' : '$2::int';
  const ctes = all ? [] : [WINDOW_CTE];
  if (by === 'STAKE') {
    if (!all) ctes.push(`"cur" AS (${netStake('"e"."hotkey"', 'start', null, ` AND "e"."netuid" = ${nu}`)})`);
    return ranked(
      ctes,
      `SELECT "n"."id", "n"."stake" AS "value", ${all ? 'NULL::numeric' : 'COALESCE("cur"."v", 0)'} AS "change" FROM "neuron" "n"
         ${all ? '' : 'LEFT JOIN "cur" ON "cur"."hotkey" = "n"."hotkey"'} WHERE "n"."netuid" = ${nu}`,
      params,
      limit,
    );
  }
  if (by === 'EMISSION') {
    if (all) {
      return ranked(
        ctes,
        `SELECT "n"."id", "n"."total_emission" AS "value", NULL::numeric AS "change" FROM "neuron" "n" WHERE "n"."netuid" = ${nu}`,
        params,
        limit,
      );
    }
    // The neuron's emission while its current hotkey held the uid, per window of epochs.
    const sum = (from: string, to: string | null) =>
      `SELECT "ne"."uid", "ne"."hotkey", sum("ne"."emission") AS "v" FROM "neuron_epoch" "ne"
         JOIN "subnet_epoch" "se" ON "se"."id" = "ne"."subnet_epoch_id", "w"
        WHERE "se"."netuid" = ${nu} AND "se"."timestamp" > "w"."${from}"${to ? ` AND "se"."timestamp" <= "w"."${to}"` : ''}
        GROUP BY "ne"."uid", "ne"."hotkey"`;
    ctes.push(`"cur" AS (${sum('start', null)})`, `"pre" AS (${sum('prev', 'start')})`);
    return ranked(
      ctes,
      `SELECT "n"."id", COALESCE("cur"."v", 0) AS "value", COALESCE("cur"."v", 0) - COALESCE("pre"."v", 0) AS "change" FROM "neuron" "n"
         LEFT JOIN "cur" ON "cur"."uid" = "n"."uid" AND "cur"."hotkey" = "n"."hotkey"
         LEFT JOIN "pre" ON "pre"."uid" = "n"."uid" AND "pre"."hotkey" = "n"."hotkey"
        WHERE "n"."netuid" = ${nu}`,
      params,
      limit,
    );
  }
  const col = NEURON_COLUMN[by];
  if (!all) {
    // The subnet's last epoch at or before the window's start: the baseline of the change.
    ctes.push(`"base" AS (SELECT "ne"."uid", "ne"."hotkey", "ne"."${col}" AS "v" FROM "neuron_epoch" "ne"
      WHERE "ne"."netuid" = ${nu} AND "ne"."epoch" = (SELECT max("se"."epoch") FROM "subnet_epoch" "se", "w" WHERE "se"."netuid" = ${nu} AND "se"."timestamp" <= "w"."start"))`);
  }
  return ranked(
    ctes,
    `SELECT "n"."id", "n"."${col}" AS "value", ${all ? 'NULL::numeric' : `"n"."${col}" - "base"."v"`} AS "change" FROM "neuron" "n"
       ${all ? '' : 'LEFT JOIN "base" ON "base"."uid" = "n"."uid" AND "base"."hotkey" = "n"."hotkey"'}
      WHERE "n"."netuid" = ${nu} AND "n"."${col}" IS NOT NULL`,
    params,
    limit,
  );
}

/**
 * The newest block whose time is at or before the window's start, as far as the job table's time
 * index tells (-1 if none): a lower bound for scans of events after the start by block.
 */
const START_BLOCK = `(SELECT COALESCE((SELECT "j"."posted_at_block" FROM "job" "j" WHERE "j"."posted_at" <= (SELECT "start" FROM "w")
  ORDER BY "j"."posted_at" DESC LIMIT 1), -1))`;

export function buildProviderRanking(by: Exclude<ProviderRankingBy, 'REPUTATION'>, window: RankingWindow, limit: number): RankingStatement {
  if (by === 'SUCCESS_RATE') {
    if (window === 'ALL') {
      return ranked(
        [],
        `SELECT "id", "success_rate" AS "value", NULL::numeric AS "change" FROM "provider" WHERE "success_rate" IS NOT NULL`,
        [],
        limit,
      );
    }
    // The rate at the window's start is the provider's counters less the reviews indexed since: a
    // review (APPROVED or REJECTED) counts for the provider whose claim it closed, the job's last
    // CLAIMED before it, as the indexer credits it. float8, as the indexer divides, so a provider
    // without reviews in the window has a change of exactly 0; null without a review before it.
    const rev = `"rev" AS (SELECT "cl"."actor" AS "id", count(*) FILTER (WHERE "r"."kind" = 'APPROVED') AS "a",
        count(*) FILTER (WHERE "r"."kind" = 'REJECTED') AS "r"
      FROM "job_event" "r" CROSS JOIN "w"
      CROSS JOIN LATERAL (SELECT "c"."actor" FROM "job_event" "c" WHERE "c"."job_id" = "r"."job_id" AND "c"."kind" = 'CLAIMED'
          AND ("c"."block_number", "c"."id") < ("r"."block_number", "r"."id") ORDER BY "c"."block_number" DESC, "c"."id" DESC LIMIT 1) "cl"
      WHERE "r"."kind" IN ('APPROVED', 'REJECTED') AND "r"."block_number" > ${START_BLOCK} AND "r"."timestamp" > "w"."start"
      GROUP BY 1)`;
    return ranked(
      [WINDOW_CTE, rev],
      `SELECT "p"."id", "p"."success_rate" AS "value",
          "p"."success_rate"::float8 - ("p"."jobs_approved" - COALESCE("rev"."a", 0))::float8
            / NULLIF("p"."jobs_approved" + "p"."jobs_rejected" - COALESCE("rev"."a", 0) - COALESCE("rev"."r", 0), 0) AS "change"
         FROM "provider" "p" LEFT JOIN "rev" ON "rev"."id" = "p"."id" WHERE "p"."success_rate" IS NOT NULL`,
      [WINDOW_INTERVAL[window]],
      limit,
    );
  }
  if (window === 'ALL') {
    const col = by === 'EARNINGS' ? '"earnings"' : '"approved_work_units"';
    return ranked([], `SELECT "id", ${col} AS "value", NULL::numeric AS "change" FROM "provider"`, [], limit);
  }
  const params: unknown[] = [WINDOW_INTERVAL[window]];
  const amount = by === 'EARNINGS' ? `"pe"."work_reward" + "pe"."availability_reward"` : `"pe"."work_units"`;
  // A provider epoch's time is its market epoch's close (market_epoch id = "marketId-epoch"); the
  // epoch in progress has no close yet, and counts once it closed.
  const sum = (from: string, to: string | null) =>
    `SELECT "pe"."provider_id" AS "id", sum(${amount}) AS "v" FROM "provider_epoch" "pe"
       JOIN "market_epoch" "me" ON "me"."id" = "pe"."market_id"::text || '-' || "pe"."epoch"::text, "w"
      WHERE "me"."closed" AND "me"."timestamp" > "w"."${from}"${to ? ` AND "me"."timestamp" <= "w"."${to}"` : ''} GROUP BY "pe"."provider_id"`;
  return ranked(
    [WINDOW_CTE, `"cur" AS (${sum('start', null)})`, `"pre" AS (${sum('prev', 'start')})`],
    `SELECT "p"."id", COALESCE("cur"."v", 0) AS "value", COALESCE("cur"."v", 0) - COALESCE("pre"."v", 0) AS "change" FROM "provider" "p"
       LEFT JOIN "cur" ON "cur"."id" = "p"."id" LEFT JOIN "pre" ON "pre"."id" = "p"."id"`,
    params,
    limit,
  );
}

/** The providers REPUTATION ranks (scores come from the inference service, not SQL). */
export const PROVIDER_IDS_SQL = `SELECT "id" FROM "provider" ORDER BY "id"`;

// ---- REPUTATION's change: the model's score of the features as of the window's start ----
//
// The score now is the inference service's, from its features of everything indexed. The past score
// is the same model's score of the same features computed (by the same functions:
// inference/features/provider-history.ts) from what the index held at the window's start, so it is
// the score the service would have answered then:
// - the index head is the newest job event at or before the start (the service's clock: the features'
//   cut-off is the block after it, and its time judges open jobs' deadlines);
// - the job events at or before the start, of every job one of the providers had claimed by then;
// - a completion's work units as its JobCompleted log reported them (chain_event, same id as the job
//   event; the job row keeps only its last completion's figure, the job's where the log is missing);
// - registration data (benchmark, VRAM, tier) as the provider's newest ProviderRegistered or
//   ProviderUpdated log at or before the start set it (the provider row holds only the latest).
// A provider without a registration log by then was not registered: it has no past score.
// Each statement takes $1, the window's interval, and $2, the providers' ids.

/** The window's start and the index head then: `{ start, block, time }`, times in unix seconds. */
export const REPUTATION_HEAD_SQL = `WITH ${WINDOW_CTE}
  SELECT extract(epoch FROM "w"."start")::float8 AS "start", "h"."block_number" AS "block", extract(epoch FROM "h"."timestamp")::float8 AS "time"
    FROM "w" LEFT JOIN LATERAL (SELECT "e"."block_number", "e"."timestamp" FROM "job_event" "e" WHERE "e"."timestamp" <= "w"."start"
      ORDER BY "e"."block_number" DESC, "e"."id" DESC LIMIT 1) "h" ON true`;

/** Providers registered by the start, with their registration data then (rows of ProviderInfo). */
export const REPUTATION_PROVIDERS_SQL = `WITH ${WINDOW_CTE}
  SELECT DISTINCT ON ("p"."id") "p"."id" AS "address", "p"."registered_at_block" AS "registeredAtBlock", ("c"."args"->>'benchmarkScore')::int AS "benchmarkScore",
         ("c"."args"->>'vramGb')::int AS "vramGb", ("c"."args"->>'tier')::int AS "tier"
    FROM "chain_event" "c" JOIN "provider" "p" ON "p"."id" = "c"."args"->>'provider' CROSS JOIN "w"
   WHERE "c"."contract" = 'market' AND "c"."name" IN ('ProviderRegistered', 'ProviderUpdated') AND "c"."timestamp" <= "w"."start"
     AND "p"."id" = ANY($2::text[])
   ORDER BY "p"."id", "c"."block_number" DESC, "c"."log_index" DESC`;

/** Job events by the start (the kinds the features read), in chain order, as the service reads them (rows of JobEventRow). */
export const REPUTATION_EVENTS_SQL = `WITH ${WINDOW_CTE}
  SELECT "e"."job_id" AS "jobId", "e"."kind"::text AS "kind", lower("e"."actor") AS "actor", "e"."block_number" AS "blockNumber",
         extract(epoch FROM "e"."timestamp")::float8 AS "timestamp", extract(epoch FROM "j"."deadline")::float8 AS "deadline",
         "j"."work_estimate"::float8 AS "workEstimateMilli", COALESCE("c"."args"->>'workUnits', "j"."work_units"::text)::float8 AS "workUnitsMilli"
    FROM "job_event" "e" JOIN "job" "j" ON "j"."id" = "e"."job_id"
         LEFT JOIN "chain_event" "c" ON "e"."kind" = 'COMPLETED' AND "c"."id" = "e"."id" CROSS JOIN "w"
   WHERE "e"."kind" IN ('CLAIMED', 'COMPLETED', 'APPROVED', 'REJECTED', 'REASSIGNED', 'EXPIRED', 'CANCELLED') AND "e"."timestamp" <= "w"."start"
     AND "e"."job_id" IN (SELECT "k"."job_id" FROM "job_event" "k" WHERE "k"."kind" = 'CLAIMED' AND "k"."actor" = ANY($2::text[])
       AND "k"."timestamp" <= "w"."start")
   ORDER BY "e"."block_number", "e"."id"`;

export interface ReputationHeadRow {
  start: number | null;
  block: number | null;
  time: number | null;
}

/**
 * The model inputs a past score can be computed for, or null. The service computes a model's
 * features from job history unless every input is a provider-table feature (provider-reputation@1:
 * the provider row's running counters, for which this computes no past score); the same names
 * mean different things in the two families, so the choice must be the service's.
 */
export function historyFeatureNames(names: readonly string[]): ProviderHistoryFeatureName[] | null {
  if (names.length === 0 || names.every(isProviderFeature)) return null;
  return names.every(isProviderHistoryFeature) ? (names as ProviderHistoryFeatureName[]) : null;
}

/** Each provider's feature row (in `names` order) as of the window's start; providers not registered by then are absent. */
export function buildReputationBaseline(
  head: ReputationHeadRow,
  providerRows: readonly ProviderInfo[],
  events: readonly JobEventRow[],
  names: readonly ProviderHistoryFeatureName[],
): Map<string, number[]> {
  const providers = new Map(providerRows.map((p) => [p.address, p]));
  const at = head.block === null || head.time === null ? null : { block: head.block, time: head.time };
  const ids = [...providers.keys()];
  const rows = buildHistoryFeatureRows(providers, events, at, ids, names);
  return new Map(ids.map((id, i) => [id, rows[i] as number[]]));
}

export function buildMarketRanking(by: MarketRankingBy, window: RankingWindow, limit: number): RankingStatement {
  if (window === 'ALL') {
    const col = by === 'VOLUME' ? '"volume"' : '"job_count"';
    return ranked([], `SELECT "id", ${col} AS "value", NULL::numeric AS "change" FROM "market"`, [], limit);
  }
  // From the jobs themselves, by their posted time, so that a window is exactly (start, now] rather
  // than the hour or day buckets of market_stat that it overlaps; the job index on posted_at serves
  // both ranges (a window and the one before it: two windows' jobs, not the history).
  const col = by === 'VOLUME' ? 'sum("j"."payment")' : 'count(*)';
  const sum = (from: string, to: string | null) =>
    `SELECT "j"."market_id" AS "id", ${col} AS "v" FROM "job" "j", "w"
      WHERE "j"."posted_at" > "w"."${from}"${to ? ` AND "j"."posted_at" <= "w"."${to}"` : ''} GROUP BY "j"."market_id"`;
  return ranked(
    [WINDOW_CTE, `"cur" AS (${sum('start', null)})`, `"pre" AS (${sum('prev', 'start')})`],
    `SELECT "m"."id", COALESCE("cur"."v", 0) AS "value", COALESCE("cur"."v", 0) - COALESCE("pre"."v", 0) AS "change" FROM "market" "m"
       LEFT JOIN "cur" ON "cur"."id" = "m"."id" LEFT JOIN "pre" ON "pre"."id" = "m"."id"`,
    [WINDOW_INTERVAL[window]],
    limit,
  );
}
