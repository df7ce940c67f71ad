// Ponder's config for the benchmark: one devnet, the five contracts of a deployment file.
// Settings from ../shared/STACK.md: without maxResponseBodySize: false viem's 10 MiB cap stops the
// sync on blocks with hundreds of logs, and the default request rate would throttle a local node.
import fs from 'node:fs';
import { createConfig } from 'ponder';
import { http } from 'viem';
import { CONTRACTS } from './abis.js';

const deployment = JSON.parse(fs.readFileSync(process.env.DEPLOYMENT_FILE, 'utf8'));

export default createConfig({
  database: { kind: 'postgres', connectionString: process.env.DATABASE_URL },
  networks: {
    devnet: {
      chainId: deployment.chainId,
      transport: http(process.env.PONDER_RPC_URL, { maxResponseBodySize: false }),
      maxRequestsPerSecond: 1000,
      pollingInterval: 250,
    },
  },
  contracts: Object.fromEntries(
    Object.entries(CONTRACTS).map(([role, abi]) => [
      role,
      { network: 'devnet', abi, address: deployment.contracts[role], startBlock: deployment.startBlock },
    ]),
  ),
});
