// The one LISTEN connection of a gateway process: a dedicated pg Client (a pooled connection
// cannot hold LISTEN), reconnected with exponential backoff when it drops. Each notification is
// parsed and published to the in-process feed; every replica runs its own listener, so each sees
// every change. Notifications sent while the connection is down are lost by Postgres; after a
// reconnect the listener publishes one event that covers the gap (every entity, ids unknown),
// so subscriptions re-read what changed in those blocks.
import { Client } from 'pg';
import { CHANGES_CHANNEL, type ChangeFeed, parseChangesPayload } from './changes';

export interface ChangeListenerOptions {
  connectionString: string;
  feed: ChangeFeed;
  /** Highest indexed block (null before the indexer ran); read after each (re)connect. */
  indexedHeight: () => Promise<number | null>;
  /** Entity names a gap event marks as changed. */
  entities: readonly string[];
  log?: (line: string) => void;
  channel?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ChangeListener {
  /** Connects and LISTENs; resolves after the first attempt, successful or not (retries go on). */
  start(): Promise<void>;
  /** Whether LISTEN is active now. */
  readonly listening: boolean;
  /** Resolves once LISTEN is active (at once if it is). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createChangeListener(opts: ChangeListenerOptions): ChangeListener {
  const log = opts.log ?? ((line) => console.warn(`gateway: ${line}`));
  const channel = opts.channel ?? CHANGES_CHANNEL;
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  let client: Client | undefined;
  let closed = false;
  let listening = false;
  let connectedOnce = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiters: (() => void)[] = [];

  const scheduleReconnect = (reason: string) => {
    listening = false;
    if (closed || timer) return;
    const delay = Math.min(maxBackoff, minBackoff * 2 ** failures);
    failures++;
    log(`change listener disconnected (${reason}); reconnecting in ${delay} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new Client({ connectionString: opts.connectionString });
    client = c;
    let failed = false;
    const fail = (reason: string) => {
      if (failed || client !== c) return;
      failed = true;
      c.removeAllListeners('notification');
      c.end().catch(() => undefined);
      scheduleReconnect(reason);
    };
    // Attached before connect: a connection killed later emits 'error' and 'end', never both handled twice.
    c.on('error', (err) => fail(err.message.split('\n')[0]));
    c.on('end', () => fail('connection ended'));
    c.on('notification', (msg) => {
      if (msg.channel !== channel) return;
      const parsed = parseChangesPayload(msg.payload ?? '');
      if (!parsed) {
        log(`ignored a malformed ${channel} payload (${(msg.payload ?? '').slice(0, 80)})`);
        return;
      }
      opts.feed.publish(parsed);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      const height = await opts.indexedHeight().catch(() => null);
      const last = opts.feed.lastBlock;
      if (connectedOnce && height !== null && (last === null || height > last)) {
        // Whatever was notified while we were away: re-read by block range.
        opts.feed.publish({ block: height, fromBlock: last, entities: Object.fromEntries(opts.entities.map((e) => [e, null])) });
      } else if (last === null && height !== null) {
        opts.feed.lastBlock = height; // the baseline for the first truncated payload
      }
      if (connectedOnce) log('change listener reconnected');
      connectedOnce = true;
      failures = 0;
      listening = true;
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    } catch (err) {
      fail((err as Error).message?.split('\n')[0] ?? String(err));
    }
  };

  return {
    start: () => connect(),
    get listening() {
      return listening;
    },
    ready: () => (listening ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    async close() {
      closed = true;
      listening = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('notification');
        await c.end().catch(() => undefined);
      }
    },
  };
}
