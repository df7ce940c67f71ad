// Runs the embedded Postgres in a process of its own, in its own process group (the orchestrator
// spawns it detached), so that Ctrl-C reaches only the orchestrator, which stops Postgres last.
// Protocol: env PG_DATA_DIR, PG_PORT; sends { url } over IPC once ready; stops on SIGTERM or when
// the orchestrator goes away.
import { startEmbeddedPostgres } from './postgres';

async function main(): Promise<void> {
  const dataDir = process.env.PG_DATA_DIR;
  const port = Number(process.env.PG_PORT);
  if (!dataDir || !port) throw new Error('PG_DATA_DIR and PG_PORT are required');
  const pg = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send?.({ url: pg.url, dataDir: pg.dataDir });
}

main().catch((err: Error) => {
  process.send?.({ error: err.message });
  process.exit(1);
});
