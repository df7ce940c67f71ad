/**
 * Keeper process (started by `npm start`, or alone: RPC_URL=... DEPLOYMENT_FILE=... node
 * lib/chain/keeper/main.js). Posts every due epoch until SIGINT/SIGTERM, then exits.
 * Env: RPC_URL, DEPLOYMENT_FILE, KEEPER_KEY (default: Hardhat account #9), KEEPER_POLL_MS (1000).
 */
import { readDeployment } from '../deployment';
import { loadKeeperConfig } from './config';
import { createKeeper } from './keeper';

const log = (msg: string) => console.log(`keeper: ${msg}`);

async function main(): Promise<void> {
  const config = loadKeeperConfig();
  const deployment = readDeployment(config.deploymentFile);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: don't wait for the post
    log(`${signal}: stopping after the current poll`);
    controller.abort();
    // A poll normally ends in well under a second; never hang on a stuck RPC.
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Inputs from the registry's events (the same state as its views, without running the EVM per uid).
  const keeper = createKeeper({ rpcUrl: config.rpcUrl, deployment, keeperKey: config.keeperKey, source: 'logs' });
  log(`posting epochs to ledger ${deployment.contracts.ledger} as ${keeper.address}, polling every ${config.pollMs} ms`);
  await keeper.run({
    signal: controller.signal,
    pollMs: config.pollMs,
    onPosted: (p) =>
      log(`subnet ${p.netuid} epoch ${p.epoch} at block ${p.block}: ${p.inputs.hotkeys.length} uids, gas ${p.gasUsed}, tx ${p.txHash}`),
    onRetry: (err) => log(`will retry: ${err.message}`),
  });
  log('stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`keeper: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
