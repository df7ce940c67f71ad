// Generates the TypeORM entity classes in schema/model/generated from schema/schema.graphql with
// Subsquid's own code generator, called as a library because its CLI assumes src/model; and the
// indexer's event decoders in indexer/abi from the contracts' ABIs with Subsquid's typegen.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadModel } from '@subsquid/openreader/lib/tools';
import { generateOrmModels } from '@subsquid/typeorm-codegen/lib/codegen';
import { OutDir } from '@subsquid/util-internal-code-printer';
import { markGenerated } from './generated';

const root = path.resolve(__dirname, '..', '..');
const models = path.join(root, 'schema', 'model', 'generated');
const out = new OutDir(models);
out.del();
generateOrmModels(loadModel(path.join(root, 'schema', 'schema.graphql')), out);
markGenerated(models, 'npm run codegen');
console.log('codegen: wrote schema/model/generated');

/** The contracts the indexer decodes: every one the deployment names (see indexer/families/events.ts). */
const CONTRACTS = ['GridToken', 'Forwarder', 'SubnetRegistry', 'EpochLedger', 'ComputeMarket'];
const abis = CONTRACTS.map((c) => path.join(root, 'chain', 'artifacts', 'abi', `${c}.json`));
const typegen = require.resolve('@subsquid/evm-typegen/lib/main.js', { paths: [root] });
execFileSync(process.execPath, [typegen, path.join(root, 'indexer', 'abi'), ...abis], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
markGenerated(path.join(root, 'indexer', 'abi'), 'npm run codegen');
console.log('codegen: wrote indexer/abi');
