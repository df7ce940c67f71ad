export default async function globalTeardown() {
  const pg = globalThis.__GRIDMIND_PG__;
  if (pg) await pg.stop();
}
