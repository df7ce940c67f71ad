/**
 * Validator process: sets the compute subnet's weights from the inference service's scores, each
 * tempo, for the hotkeys whose keys it holds. Started by `npm start` when VALIDATOR_KEYS is set, or
 * alone: RPC_URL=... DEPLOYMENT_FILE=... INFERENCE_URL=... VALIDATOR_KEYS=0x...,0x... node
 * lib/inference/validator/main.js. Env: VALIDATOR_POLL_MS (2000), VALIDATOR_SHARPNESS (2),
 * VALIDATOR_TOP_K (all miners), VALIDATOR_MODEL (the service's default).
 */
import { readDeployment } from '../../chain';
import { loadValidatorConfig } from './config';
import { createComputeValidator } from './validator';

const log = (msg: string) => console.log(`validator: ${msg}`);

async function main(): Promise<void> {
  const config = loadValidatorConfig();
  const deployment = readDeployment(config.deploymentFile);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    log(`${signal}: stopping after the current tick`);
    controller.abort();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const validator = createComputeValidator({
    rpcUrl: config.rpcUrl,
    deployment,
    inferenceUrl: config.inferenceUrl,
    keys: config.keys,
    model: config.model,
    weights: { sharpness: config.sharpness, topK: config.topK },
    log,
  });
  log(`${config.keys.length} hotkey(s), scores from ${config.inferenceUrl}, polling every ${config.pollMs} ms`);
  await validator.run({
    pollMs: config.pollMs,
    signal: controller.signal,
    onTick: (r) => {
      for (const s of r.set) log(`block ${r.head}: uid ${s.uid} (${s.hotkey}) set ${s.row.uids.length} weights, tx ${s.tx}`);
    },
  });
  log('stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`validator: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
