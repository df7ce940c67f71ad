// `npm run simulate -- --preset large --blocks N [--events N] [--seed S] [--node hardhat|anvil [--keep-history]] [--rpc URL --deployment FILE]`: writes a
// history to a devnet (its own, unless --rpc names one whose deployment the simulator may use) with
// the simulator and the epoch keeper, and says how many events of each kind it produced. On its own
// devnet each round is mined as one block (the keeper's posts as the next one), so --blocks counts
// rounds and epoch waves: the large preset writes about 3,300 events a round (an epoch wave of its
// 32 subnets every 20 blocks adds 8-14k), so `--blocks 100` is about 330k events. Its devnet runs on
// Foundry's anvil (optional dependency) for the large preset and on Hardhat for the others: Hardhat
// keeps a trace per EVM step and runs out of memory at about 333k events of the large preset. Anvil
// keeps no state of past blocks (blocks, receipts and logs stay) unless --keep-history: with it, its
// memory grows faster than the history (20 GB at 900k events).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type AbiEvent, createPublicClient, http, toEventSelector } from 'viem';
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
import { DEVNET_NODES, type DevnetNode } from '../chain/devnet';

const ABIS = [gridTokenAbi, forwarderAbi, subnetRegistryAbi, epochLedgerAbi, computeMarketAbi];
/** Room for a whole round in one block (each transaction stays under osaka's 2^24 cap). */
const BLOCK_GAS_LIMIT = 2 ** 40;

function usage(msg: string): never {
  console.error(
    `simulate: ${msg}\nusage: npm run simulate -- [--preset ${PRESET_NAMES.join('|')}] [--blocks N] [--events N] [--seed S] [--node ${DEVNET_NODES.join('|')} [--keep-history]] [--rpc URL --deployment FILE]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'small' },
      blocks: { type: 'string', default: '200' },
      // Stop as soon as this many events are on chain (even before --blocks).
      events: { type: 'string' },
      seed: { type: 'string', default: '42' },
      // The devnet node when the simulator starts its own (not with --rpc): anvil for the large preset, else Hardhat.
      node: { type: 'string' },
      // anvil: keep the state of past blocks too (eth_call at an old block), at far more memory.
      'keep-history': { type: 'boolean', default: false },
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
  const maxEvents = values.events === undefined ? Number.POSITIVE_INFINITY : Number(values.events);
  if (values.events !== undefined && (!Number.isInteger(maxEvents) || maxEvents < 1)) usage('--events must be a positive integer');
  if (!Number.isInteger(seed) || seed < 0) usage('--seed must be a non-negative integer');
  if (!!values.rpc !== !!values.deployment) usage('--rpc and --deployment go together');
  const node = (values.node ?? (preset === 'large' ? 'anvil' : 'hardhat')) as DevnetNode;
  if (!DEVNET_NODES.includes(node)) usage(`unknown --node ${values.node}`);
  if (values['keep-history'] && node !== 'anvil') usage('--keep-history is for --node anvil (Hardhat always keeps it)');

  let rpcUrl: string;
  let deployment: Deployment;
  let stop = async () => {};
  // On its own devnet the simulator mines each round itself (one block, however many transactions):
  // with automine every transaction would be a block of its own, and that is most of the time.
  const manual = !values.rpc;
  if (values.rpc && values.deployment) {
    rpcUrl = values.rpc;
    deployment = readDeployment(values.deployment);
  } else {
    const devnet = await startDevnet({
      port: 0,
      blockGasLimit: BLOCK_GAS_LIMIT,
      node,
      pruneHistory: node === 'anvil' && !values['keep-history'],
    });
    stop = () => devnet.stop();
    rpcUrl = devnet.rpcUrl;
    deployment = await deployProtocol({ rpcUrl });
    const file = values.out ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-simulate-')), 'deployment.json');
    writeDeployment(file, deployment);
    console.log(`simulate: ${node} devnet at ${rpcUrl} (kept running until this command ends); deployment in ${file}`);
  }
  const client = createPublicClient({ transport: http(rpcUrl) });
  const head = async () => Number(await client.getBlockNumber({ cacheTime: 0 }));
  // With manual mining the keeper runs inside the simulator (after each round, same block cadence).
  const simulator = createSimulator({ rpcUrl, deployment, seed, preset, ...(manual ? { mining: 'manual' as const, keeper: true } : {}) });
  const keeper = manual ? undefined : createKeeper({ rpcUrl, deployment });
  const start = Date.now();
  const from = await head();
  let epochs = 0;
  let keeperEvents = 0;
  console.log(`simulate: preset ${preset}, seed ${seed}, until block ${from + blocks}${manual ? ', one block per round' : ''}`);
  await simulator.setup();
  console.log(`simulate: set up in ${((Date.now() - start) / 1000).toFixed(1)} s, ${simulator.events.toLocaleString('en-US')} events`);
  let last = Date.now();
  const progress = (h: number) => {
    const s = (Date.now() - start) / 1000;
    const events = simulator.events + keeperEvents;
    // Whichever target ends the run first: blocks, or --events.
    const done = Math.min(1, Math.max((h - from) / blocks, Number.isFinite(maxEvents) ? events / maxEvents : 0));
    const eta = done > 0 ? s / done - s : Number.NaN;
    console.log(
      `simulate: block ${h - from}/${blocks} (${(100 * done).toFixed(1)}%), round ${simulator.model.round}, ` +
        `${events.toLocaleString('en-US')} events (${Math.round(events / s).toLocaleString('en-US')}/s), ` +
        `${epochs + simulator.epochs} epochs, ${s.toFixed(0)} s, ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`,
    );
  };
  for (let h = await head(); h < from + blocks && simulator.events + keeperEvents < maxEvents; h = await head()) {
    await simulator.round();
    if (keeper) {
      for (const p of await keeper.tick()) {
        epochs++;
        keeperEvents += p.events;
      }
    }
    if (Date.now() - last > 5000) {
      last = Date.now();
      progress(await head());
    }
  }
  progress(await head());
  const seconds = (Date.now() - start) / 1000;
  if (manual) await client.request({ method: 'evm_setAutomine' as 'eth_chainId', params: [true] as never });
  const counts = await countEvents(rpcUrl, deployment, deployment.startBlock, await head());
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `simulate: ${total.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')} events/s), ${await head()} blocks, ${simulator.model.round} rounds, ${epochs + simulator.epochs} epochs posted`,
  );
  for (const [name, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(40)} ${n}`);
  // What each kind of transaction cost and yielded (setup included): where a faster history must come from.
  console.log('simulate: transactions by kind (txs, events, events per tx)');
  for (const [kind, k] of Object.entries(simulator.stats).sort((a, b) => b[1].txs - a[1].txs)) {
    console.log(
      `  ${kind.padEnd(24)} ${String(k.txs).padStart(9)} ${String(k.events).padStart(10)} ${(k.events / k.txs).toFixed(1).padStart(8)}`,
    );
  }
  await stop();
}

/** Events per "contract.Event", read back from the chain in windows of blocks, named by topic0. */
async function countEvents(rpcUrl: string, d: Deployment, from: number, to: number): Promise<Record<string, number>> {
  // No body cap: 25 generated blocks can hold more than viem's 10 MiB default of logs.
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: 120_000, maxResponseBodySize: false }) });
  const roles = Object.fromEntries(Object.entries(d.contracts).map(([role, a]) => [a.toLowerCase(), role]));
  const names = new Map<string, string>();
  for (const abi of ABIS) {
    for (const item of abi) if (item.type === 'event') names.set(toEventSelector(item as AbiEvent), item.name);
  }
  const counts: Record<string, number> = {};
  // Never the whole chain in one eth_getLogs (STACK.md): a generated block can hold thousands.
  const STEP = 25;
  for (let b = from; b <= to; b += STEP) {
    const logs = await client.getLogs({
      address: Object.values(d.contracts),
      fromBlock: BigInt(b),
      toBlock: BigInt(Math.min(to, b + STEP - 1)),
    });
    for (const log of logs) {
      const key = `${roles[log.address.toLowerCase()] ?? log.address}.${names.get(log.topics[0] ?? '') ?? 'unknown'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

main().catch((err: Error) => {
  console.error(`simulate: ${err.message}`);
  process.exit(1);
});
