// `npm run bench -- NAME [args]`: runs bench/NAME.ts (compiled to lib/bench/NAME.js). Benchmarks print
// their figures and ratios against a baseline measured in the same run, and write bench/results/NAME.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [name, ...args] = process.argv.slice(2);
const available = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.includes('.test.'))
  .map((f) => f.replace(/\.js$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]; NAME is one of: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
