// The inference process: node lib/inference/main.js. Configuration from the environment (config.ts).
import { loadConfig } from './config';
import { PortInUseError } from './errors';
import { createInferenceService, type InferenceService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const service: InferenceService = await createInferenceService({
    databaseUrl: config.databaseUrl,
    modelDir: config.modelDir,
    modelName: config.modelName,
    modelVersion: config.modelVersion,
    adminToken: config.adminToken,
    providers: config.providers,
    maxBatch: config.maxBatch,
    maxWaitMs: config.maxWaitMs,
    intraOpThreads: config.intraOpThreads,
  });
  let url: string;
  try {
    ({ url } = await service.listen(config.port, config.host));
  } catch (err) {
    await service.close();
    throw err;
  }
  console.log(`inference: ready at ${url} (model ${service.model.name}@${service.model.version}, ${service.executionProvider})`);
  if (!config.databaseUrl) console.warn('inference: DATABASE_URL is not set; only { "rows": ... } requests can be scored');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A stuck close must not keep the process alive past a couple of seconds.
    setTimeout(() => {
      console.error(`inference: ${signal}: close took too long, exiting`);
      process.exit(0);
    }, 2500).unref();
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`inference: error while closing: ${(err as Error).message}`);
        process.exit(0);
      },
    );
  };
  // SIGHUP reloads the registry (the classic daemon convention), as POST /admin/reload does.
  process.on('SIGHUP', () => {
    if (stopping) return;
    service.reload().then(
      (r) => {
        const changed = r.models.filter((m) => m.changed);
        console.log(
          changed.length === 0
            ? 'inference: SIGHUP: registry unchanged'
            : `inference: SIGHUP: now serving ${changed.map((m) => `${m.name}@${m.version}`).join(', ')}`,
        );
      },
      (err: unknown) =>
        console.error(`inference: SIGHUP: reload refused, old version keeps serving: ${(err as Error).name}: ${(err as Error).message}`),
    );
  });
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // Expected start-up failures are one line; anything else keeps its stack for debugging.
  if (err instanceof PortInUseError) console.error(`inference: port ${err.port} is already in use`);
  else if (
    err instanceof Error &&
    ['ConfigError', 'ModelLoadError', 'ManifestInvalidError', 'ModelFileError', 'ModelMismatchError', 'ExecutionProviderError'].includes(
      err.name,
    )
  ) {
    console.error(err.message.startsWith('inference:') ? err.message : `inference: ${err.name}: ${err.message}`);
  } else console.error(err);
  process.exit(1);
});
