// The benchmark's chain history, generated once per run into one devnet that every measurement
// then reads: the simulator's `large` preset (32 subnets of 256 neurons, 2,000 providers, job
// senders, stakers, validators of every style) with the epoch keeper running real Yuma for every
// posted epoch, as `npm run simulate -- --preset large` writes it. Each round is mined as one
// block (the simulator mines it itself; see chain/simulator/simulator.ts `mining: 'manual'`), and
// generation stops at the first round that reaches the target number of events.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Address, encodeFunctionData, type Hex } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import {
  createSimulator,
  type Deployment,
  type Devnet,
  deployProtocol,
  gridTokenAbi,
  HARDHAT_ACCOUNT0_KEY,
  startDevnet,
  writeDeployment,
} from '../../chain';
import type { DevnetNode } from '../../chain/devnet';
import { createProgress } from './progress';
import { blockNumber, hexNumber, rpc } from './rpc';

export interface HistoryParameters {
  /** Events to generate (at least; the last round overshoots by up to one round's worth). */
  events: number;
  seed: number;
  /**
   * The devnet node (chain/devnet.ts); 'anvil' by default, which keeps no state of past blocks
   * (--prune-history: nothing here, in our indexer or in Ponder reads any). Hardhat runs out of
   * memory at about 333k events of this preset.
   */
  node?: DevnetNode;
  /** Stop after this many simulator rounds even below `events` (none by default). */
  simRounds?: number;
}

export interface History {
  devnet: Devnet;
  deployment: Deployment;
  /** The deployment as a file, for the indexer's DEPLOYMENT_FILE. */
  deploymentFile: string;
  /** Events on chain (every log since genesis), counted back with eth_getLogs. */
  events: number;
  /** The chain head when generation ended. */
  head: number;
  seconds: number;
  epochsPosted: number;
  /** Mints new blocks, each with one transaction and one event (for freshness). */
  mintOne(to: Address): Promise<void>;
  stop(): Promise<void>;
}

const GWEI = 1_000_000_000n;
const WEI = 10n ** 18n;
/** Room for a whole round in one block (each transaction stays under osaka's 2^24 cap). */
const BLOCK_GAS_LIMIT = 2 ** 40;

async function logCount(url: string, from: number, to: number): Promise<number> {
  let n = 0;
  // Small ranges: a generated block holds thousands of logs, and one big eth_getLogs makes the node hold them all.
  for (let b = from; b <= to; b += 25) {
    const logs = await rpc<unknown[]>(url, 'eth_getLogs', [{ fromBlock: hexNumber(b), toBlock: hexNumber(Math.min(to, b + 24)) }]);
    n += logs.length;
  }
  return n;
}

export async function generateHistory(p: HistoryParameters): Promise<History> {
  const started = performance.now();
  const node = p.node ?? 'anvil';
  const devnet = await startDevnet({ blockGasLimit: BLOCK_GAS_LIMIT, node, pruneHistory: node === 'anvil' });
  const url = devnet.rpcUrl;
  try {
    const deployment = await deployProtocol({ rpcUrl: url });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridmind-bench-index-'));
    const deploymentFile = path.join(dir, 'deployment.json');
    writeDeployment(deploymentFile, deployment);

    const sim = createSimulator({ rpcUrl: url, deployment, seed: p.seed, preset: 'large', mining: 'manual', keeper: true });
    let bar = createProgress('history: simulator setup', 1, 'steps');
    await sim.setup();
    bar.finish(`${sim.events.toLocaleString('en-US')} events, block ${await blockNumber(url)}`);
    bar = createProgress('history: simulator rounds', p.events, 'events');
    let rounds = 0;
    while (sim.events < p.events && (p.simRounds === undefined || rounds < p.simRounds)) {
      await sim.round();
      rounds++;
      bar.update(sim.events, `round ${rounds}, ${sim.epochs} epochs`);
    }
    bar.finish(`round ${rounds}, ${sim.epochs} epochs`);
    // Where the events came from, and at how many per transaction (the cost of a history is per
    // transaction and per EVM step).
    const kinds = Object.entries(sim.stats).sort((a, b) => b[1].events - a[1].events);
    console.log(`history: events by kind: ${kinds.map(([k, s]) => `${k} ${s.events} (${(s.events / s.txs).toFixed(1)}/tx)`).join(', ')}`);
    // Back to automine: the freshness phase sends single transactions and expects them mined.
    await rpc(url, 'evm_setAutomine', [true]);
    const head = await blockNumber(url);
    const events = await logCount(url, 0, head);

    const deployer: PrivateKeyAccount = privateKeyToAccount(HARDHAT_ACCOUNT0_KEY);
    let nonce: number | undefined;
    return {
      devnet,
      deployment,
      deploymentFile,
      events,
      head,
      seconds: (performance.now() - started) / 1000,
      epochsPosted: sim.epochs,
      async mintOne(to) {
        nonce ??= Number(BigInt(await rpc<string>(url, 'eth_getTransactionCount', [deployer.address, 'pending'])));
        const raw = await deployer.signTransaction({
          type: 'eip1559',
          chainId: deployment.chainId,
          nonce: nonce++,
          to: deployment.contracts.token,
          data: encodeFunctionData({ abi: gridTokenAbi, functionName: 'mint', args: [to, WEI] }),
          gas: 200_000n,
          maxFeePerGas: 100n * GWEI,
          maxPriorityFeePerGas: GWEI,
        });
        await rpc<Hex>(url, 'eth_sendRawTransaction', [raw]);
      },
      async stop() {
        await devnet.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await devnet.stop();
    throw err;
  }
}
