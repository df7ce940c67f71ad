// `npm run simulate -- --preset large --blocks N [--seed S] [--rpc URL --deployment FILE]`: writes a
// history to a devnet (its own, unless --rpc names one whose deployment the simulator may use) with
// the simulator and the epoch keeper, and says how many events of each kind it produced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPublicClient, decodeEventLog, http } from 'viem';
import {
  computeMarketAbi,
  createKeeper,
  createSimulator,
  type Deployment,
  deployProtocol,
  epochLedgerAbi,
  forwarderAbi,
  gridTokenAbi,
  PRESET_NAMES,
  type PresetName,
  readDeployment,
  startDevnet,
  subnetRegistryAbi,
  writeDeployment,
} from '../chain';

const ABIS = [gridTokenAbi, forwarderAbi, subnetRegistryAbi, epochLedgerAbi, computeMarketAbi];

function usage(msg: string): never {
  console.error(
    `simulate: ${msg}\nusage: npm run simulate -- [--preset ${PRESET_NAMES.join('|')}] [--blocks N] [--seed S] [--rpc URL --deployment FILE]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'small' },
      blocks: { type: 'string', default: '200' },
      seed: { type: 'string', default: '42' },
      rpc: { type: 'string' },
      deployment: { type: 'string' },
      out: { type: 'string' },
    },
  }).valueOf() as { values: Record<string, string | undefined> };
  const preset = values.preset as PresetName;
  if (!PRESET_NAMES.includes(preset)) usage(`unknown preset ${preset}`);
  const blocks = Number(values.blocks);
  const seed = Number(values.seed);
  if (!Number.isInteger(blocks) || blocks < 1) usage('--blocks must be a positive integer');
  if (!Number.isInteger(seed) || seed < 0) usage('--seed must be a non-negative integer');
  if (!!values.rpc !== !!values.deployment) usage('--rpc and --deployment go together');

  let rpcUrl: string;
  let deployment: Deployment;
  let stop = async () => {};
  if (values.rpc && values.deployment) {
    rpcUrl = values.rpc;
    deployment = readDeployment(values.deployment);
  } else {
    const devnet = await startDevnet({ port: 0 });
    stop = () => devnet.stop();
    rpcUrl = devnet.rpcUrl;
    deployment = await deployProtocol({ rpcUrl });
    const file = values.out ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-simulate-')), 'deployment.json');
    writeDeployment(file, deployment);
    console.log(`simulate: devnet at ${rpcUrl} (kept running until this command ends); deployment in ${file}`);
  }
  const client = createPublicClient({ transport: http(rpcUrl) });
  const head = async () => Number(await client.getBlockNumber({ cacheTime: 0 }));
  const simulator = createSimulator({ rpcUrl, deployment, seed, preset });
  const keeper = createKeeper({ rpcUrl, deployment });
  const start = Date.now();
  const from = await head();
  let epochs = 0;
  console.log(`simulate: preset ${preset}, seed ${seed}, until block ${from + blocks}`);
  await simulator.setup();
  let last = Date.now();
  for (let h = await head(); h < from + blocks; h = await head()) {
    await simulator.round();
    epochs += (await keeper.tick()).length;
    if (Date.now() - last > 5000) {
      last = Date.now();
      const done = (h - from) / blocks;
      const eta = done > 0 ? ((Date.now() - start) / done - (Date.now() - start)) / 1000 : Number.NaN;
      console.log(
        `simulate: block ${h - from} / ${blocks} (${(100 * done).toFixed(1)}%), ${epochs} epochs posted, ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`,
      );
    }
  }
  const counts = await countEvents(rpcUrl, deployment, deployment.startBlock, await head());
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`simulate: ${total} events in ${((Date.now() - start) / 1000).toFixed(1)} s, ${epochs} epochs posted by the keeper`);
  for (const [name, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(32)} ${n}`);
  await stop();
}

/** Events per "contract.Event", read back from the chain in windows of blocks. */
async function countEvents(rpcUrl: string, d: Deployment, from: number, to: number): Promise<Record<string, number>> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const roles = Object.fromEntries(Object.entries(d.contracts).map(([role, a]) => [a.toLowerCase(), role]));
  const counts: Record<string, number> = {};
  const STEP = 2000; // never the whole chain in one eth_getLogs (see STACK.md)
  for (let b = from; b <= to; b += STEP) {
    const logs = await client.getLogs({
      address: Object.values(d.contracts),
      fromBlock: BigInt(b),
      toBlock: BigInt(Math.min(to, b + STEP - 1)),
    });
    for (const log of logs) {
      let name = 'unknown';
      for (const abi of ABIS) {
        try {
          name = decodeEventLog({ abi, data: log.data, topics: log.topics }).eventName;
          break;
        } catch {}
      }
      const key = `${roles[log.address.toLowerCase()] ?? log.address}.${name}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

main().catch((err: Error) => {
  console.error(`simulate: ${err.message}`);
  process.exit(1);
});
