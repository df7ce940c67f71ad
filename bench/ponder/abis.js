// The protocol's ABIs from the main project's committed artifacts, by deployment role.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'chain', 'artifacts', 'abi');
const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

/** Ponder contract name → [deployment role, ABI]. */
export const CONTRACTS = {
  token: read('GridToken'),
  forwarder: read('Forwarder'),
  registry: read('SubnetRegistry'),
  ledger: read('EpochLedger'),
  market: read('ComputeMarket'),
};
