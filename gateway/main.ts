// The gateway process: config from the environment, check the database, serve, stop on signals.
// Every start-up failure is one line on stderr and exit code 1.
import { type Deployment, readDeployment } from '../chain';
import { ConfigError, createGateway, type GatewayConfig, loadConfig } from './index';

function fail(message: string): never {
  console.error(`gateway: ${message}`);
  process.exit(1);
}

/** The most useful short reason of a connection error (Node's AggregateError has no message). */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return describe(err.errors[0]);
  const e = err as { message?: string; code?: string };
  return (e?.message || e?.code || String(err)).split('\n')[0];
}

async function main() {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  let deployment: Deployment | undefined;
  if (config.mutations) {
    try {
      deployment = readDeployment(config.mutations.deploymentFile);
    } catch (err) {
      fail(`DEPLOYMENT_FILE: ${describe(err)}`);
    }
  }
  const gateway = await createGateway({
    databaseUrl: config.databaseUrl,
    rpcUrl: config.rpcUrl,
    inferenceUrl: config.inferenceUrl,
    statementTimeoutMs: config.statementTimeoutMs,
    maxDepth: config.maxDepth,
    maxAliases: config.maxAliases,
    maxCost: config.maxCost,
    rateLimit: config.rateLimit,
    trustedProxies: config.trustedProxies,
    deployment,
    relayerKey: config.mutations?.relayerKey,
    mutationRateLimits: config.mutations?.rateLimits,
  });
  try {
    await gateway.connect();
  } catch (err) {
    fail(`cannot connect to DATABASE_URL (${describe(err)})`);
  }
  let url: string;
  try {
    url = (await gateway.listen(config.port, config.host)).url;
  } catch (err) {
    if ((err as { code?: string }).code === 'EADDRINUSE') fail(`port ${config.port} is already in use`);
    fail(`cannot listen on ${config.host}:${config.port} (${describe(err)})`);
  }
  console.log(`gateway: ready at ${url}`);
  if (!config.mutations) console.log('gateway: signed mutations off (set RPC_URL, DEPLOYMENT_FILE and RELAYER_KEY)');
  else if (!config.mutations.relayerKey) console.log('gateway: typed data served, mutations off (set RELAYER_KEY to relay them)');
  else console.log(`gateway: relaying signed mutations through the forwarder ${deployment?.contracts.forwarder}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // The drain grace period is 2 s; past 3 s something hangs, and exiting beats waiting.
    setTimeout(() => process.exit(0), 3000).unref();
    await gateway.close().catch((err) => console.error(`gateway: error while closing (${describe(err)})`));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => fail(`failed to start (${describe(err)})`));
