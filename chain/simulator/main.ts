/**
 * Simulator process (started by `npm start`, or alone: RPC_URL=... DEPLOYMENT_FILE=... node
 * lib/chain/simulator/main.js). Runs rounds until SIGINT/SIGTERM, then exits. With INFERENCE_URL, the
 * providers also mine on the compute subnet and its honest validators weight them by the model.
 */
import { createModelWeights } from '../../inference/validator';
import { readDeployment } from '../deployment';
import { loadSimulatorConfig } from './config';
import { createSimulator } from './simulator';

const log = (msg: string) => console.log(`simulator: ${msg}`);

async function main(): Promise<void> {
  const config = loadSimulatorConfig();
  const deployment = readDeployment(config.deploymentFile);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: don't wait for the round
    log(`${signal}: finishing the current round`);
    controller.abort();
    // A round normally ends in well under a second; never hang on a stuck RPC.
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // With the inference service, the compute subnet's honest validators run the validator loop's model weights.
  const computeWeights = config.inferenceUrl
    ? createModelWeights({ rpcUrl: config.rpcUrl, deployment, inferenceUrl: config.inferenceUrl, log })
    : undefined;
  const sim = createSimulator({ rpcUrl: config.rpcUrl, deployment, seed: config.seed, preset: config.preset, computeWeights });
  const t0 = Date.now();
  await sim.setup();
  log(`set up preset ${config.preset} (seed ${config.seed}) on chain ${deployment.chainId} in ${Date.now() - t0} ms`);
  let windowTxs = 0;
  let windowStart = Date.now();
  await sim.run({
    signal: controller.signal,
    pauseMs: config.roundMs,
    onProgress: ({ round, txs, totalTxs }) => {
      windowTxs += txs;
      if (round % config.logEvery !== 0) return;
      const m = sim.model;
      const secs = (Date.now() - windowStart) / 1000;
      log(
        `round ${round}: ${totalTxs} txs total (${(windowTxs / secs).toFixed(1)} tx/s), ${m.subnets.reduce((n, s) => n + s.hotkeys.length, 0)} neurons, ` +
          `${m.providers.size} providers, ${m.jobs.length} jobs`,
      );
      windowTxs = 0;
      windowStart = Date.now();
    },
  });
  log(`stopped after round ${sim.model.round}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`simulator: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
