// The database remembers which chain it indexed (chain id, genesis hash, contract addresses). A new
// devnet, another chain or a redeployment is detected at start-up, and the index starts over (or the
// indexer refuses) instead of mixing two chains.
import { Client } from 'pg';
import { hasPendingMigrations, migrate } from '../schema';
import { ChainChangedError } from './errors';
import { type ChainIdentity, fetchBlockHash } from './rpc';

export interface IndexedChain extends ChainIdentity {
  contracts: Record<string, string>;
  startBlock: number;
}

export type GuardOutcome =
  | { action: 'fresh' }
  | { action: 'resume'; height: number }
  | { action: 'reset'; reason: string; cause: ResetCause };

/** reorg: blocks the index holds as final are gone; chain: another chain or deployment; schema: new migrations. */
export type ResetCause = 'reorg' | 'chain' | 'schema';

type Difference = { reason: string; cause: 'reorg' | 'chain' };

export { ChainChangedError };

const STATE_SCHEMA = 'squid_processor';

/**
 * Makes the database ready for `current`: migrated, and either resumable or emptied.
 * onChange 'refuse' throws ChainChangedError instead of emptying it.
 */
export async function prepareDatabase(
  databaseUrl: string,
  rpcUrl: string,
  current: IndexedChain,
  onChange: 'reset' | 'refuse',
): Promise<GuardOutcome> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('create schema if not exists gridmind');
    await db.query(`create table if not exists gridmind.chain_identity (
      id int primary key check (id = 0), chain_id bigint not null, genesis_hash text not null,
      contracts jsonb not null, start_block int not null, recorded_at timestamptz not null default now())`);
    const stored = await readIdentity(db);
    const height = await processedHeight(db);
    let outcome: GuardOutcome;
    if (!stored) {
      outcome =
        height === null
          ? { action: 'fresh' }
          : { action: 'reset', reason: 'the database holds an index of an unknown chain', cause: 'chain' };
    } else {
      const diff = await differs(stored, current, rpcUrl, height);
      outcome = diff ? { action: 'reset', ...diff } : height === null ? { action: 'fresh' } : { action: 'resume', height: height.height };
    }
    // A new schema for an existing index: the index is derived data, so it is rebuilt from the chain
    // rather than migrated in place (new columns have no values for the old rows).
    if (outcome.action === 'resume' && (await hasPendingMigrations(databaseUrl))) {
      outcome = { action: 'reset', reason: 'the schema changed since this index was built', cause: 'schema' };
    }
    if (outcome.action === 'reset' && outcome.cause !== 'schema') {
      if (onChange === 'refuse') throw new ChainChangedError(`${outcome.reason}; refusing to index it (INDEXER_ON_CHAIN_CHANGE=refuse)`);
    }
    if (outcome.action === 'reset') await wipe(db);
    await db.end();
    await migrate(databaseUrl);
    await writeIdentity(databaseUrl, current);
    return outcome;
  } finally {
    await db.end().catch(() => {});
  }
}

async function differs(
  stored: IndexedChain,
  current: IndexedChain,
  rpcUrl: string,
  height: { height: number; hash: string } | null,
): Promise<Difference | undefined> {
  const chain = (reason: string): Difference => ({ reason, cause: 'chain' });
  if (stored.chainId !== current.chainId) return chain(`the chain id changed from ${stored.chainId} to ${current.chainId}`);
  if (stored.genesisHash !== current.genesisHash)
    return chain(`the chain's genesis changed (${short(stored.genesisHash)} → ${short(current.genesisHash)}): a new chain`);
  for (const [name, addr] of Object.entries(current.contracts)) {
    if (stored.contracts[name]?.toLowerCase() !== addr.toLowerCase())
      return chain(`the ${name} contract moved to ${addr}: a new deployment`);
  }
  if (stored.startBlock !== current.startBlock) return chain(`the deployment's start block changed to ${current.startBlock}`);
  // Same chain, but the last block the index holds as final is gone: a reorg deeper than the finality
  // window (or a deterministic devnet restarted with the same genesis).
  if (height && height.height > 0 && height.hash) {
    const hash = await fetchBlockHash(rpcUrl, height.height);
    if (hash === null) return { reason: `the chain is shorter than the indexed final block ${height.height}`, cause: 'reorg' };
    if (hash !== height.hash.toLowerCase())
      return { reason: `the indexed final block ${height.height} is no longer on the chain`, cause: 'reorg' };
  }
  return undefined;
}

async function readIdentity(db: Client): Promise<IndexedChain | null> {
  const r = await db.query('select chain_id, genesis_hash, contracts, start_block from gridmind.chain_identity where id = 0');
  if (r.rowCount === 0) return null;
  const row = r.rows[0];
  return { chainId: Number(row.chain_id), genesisHash: row.genesis_hash, contracts: row.contracts, startBlock: row.start_block };
}

async function writeIdentity(url: string, c: IndexedChain): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(
      `insert into gridmind.chain_identity (id, chain_id, genesis_hash, contracts, start_block) values (0, $1, $2, $3, $4)
       on conflict (id) do update set chain_id = $1, genesis_hash = $2, contracts = $3, start_block = $4, recorded_at = now()`,
      [c.chainId, c.genesisHash, JSON.stringify(c.contracts), c.startBlock],
    );
  } finally {
    await db.end();
  }
}

/** The last finalized block the processor committed (hash included), or null before the first batch. */
async function processedHeight(db: Client): Promise<{ height: number; hash: string } | null> {
  const exists = await db.query(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'status'`, [
    STATE_SCHEMA,
  ]);
  if (exists.rowCount === 0) return null;
  const r = await db.query(`select height, hash from ${STATE_SCHEMA}.status where id = 0`);
  if (r.rowCount === 0 || r.rows[0].height < 0) return null;
  return { height: r.rows[0].height, hash: r.rows[0].hash };
}

/** Drops every indexed row and the processor's progress, in one transaction. */
async function wipe(db: Client): Promise<void> {
  await db.query('begin');
  await db.query(`drop schema if exists ${STATE_SCHEMA} cascade`);
  await db.query('drop schema public cascade');
  await db.query('create schema public');
  await db.query('delete from gridmind.chain_identity');
  await db.query('commit');
}

function short(h: string): string {
  return `${h.slice(0, 10)}…`;
}
