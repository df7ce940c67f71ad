// Config of the devnet node only (chain/devnet.ts spawns `hardhat node --config chain/hardhat.config.js`).
// Contracts are compiled by chain/build.ts with solc-js, never by hardhat (it would download solc).
const path = require('node:path');

// Set by chain/devnet.ts: 0 or unset = automine (one block per tx), >0 = one block every N ms.
const blockTimeMs = Number(process.env.GRIDMIND_DEVNET_BLOCK_TIME_MS || 0);
// Set by chain/devnet.ts for generators that mine many transactions per block (unset: Hardhat's default).
const blockGasLimit = process.env.GRIDMIND_DEVNET_BLOCK_GAS_LIMIT ? Number(process.env.GRIDMIND_DEVNET_BLOCK_GAS_LIMIT) : undefined;

module.exports = {
  // A folder with no .sol files: hardhat must not find chain/contracts and try to compile them.
  paths: {
    root: path.join(__dirname, '..'),
    sources: path.join(__dirname, '..', '.data', 'hardhat', 'sources'),
    cache: path.join(__dirname, '..', '.data', 'hardhat', 'cache'),
    artifacts: path.join(__dirname, '..', '.data', 'hardhat', 'artifacts'),
  },
  networks: {
    hardhat: {
      chainId: 31337,
      loggingEnabled: false,
      ...(blockGasLimit ? { blockGasLimit } : {}),
      mining:
        blockTimeMs > 0 ? { auto: false, interval: blockTimeMs, mempool: { order: 'fifo' } } : { auto: true, mempool: { order: 'fifo' } },
    },
  },
};
