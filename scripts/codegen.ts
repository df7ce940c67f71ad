// Generates the TypeORM entity classes in schema/model/generated from schema/schema.graphql with
// Subsquid's own code generator, called as a library because its CLI assumes src/model.
import path from 'node:path';
import { loadModel } from '@subsquid/openreader/lib/tools';
import { generateOrmModels } from '@subsquid/typeorm-codegen/lib/codegen';
import { OutDir } from '@subsquid/util-internal-code-printer';

const root = path.resolve(__dirname, '..', '..');
const model = loadModel(path.join(root, 'schema', 'schema.graphql'));
const out = new OutDir(path.join(root, 'schema', 'model', 'generated'));
out.del();
generateOrmModels(model, out);
console.log('codegen: wrote schema/model/generated');
