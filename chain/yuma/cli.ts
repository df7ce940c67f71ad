/**
 * `node lib/chain/yuma/cli.js FILE`: read a scenario (FORMAT.md §1), print the §5 result as one
 * JSON object on stdout. A bad file, bad JSON or bad scenario goes to stderr with exit code 2.
 */

import fs from 'node:fs';
import { parseScenario, runScenario, ScenarioError } from './scenario';

export function main(argv: readonly string[]): number {
  const file = argv[2];
  if (!file) {
    process.stderr.write('usage: yuma FILE (a scenario JSON, see shared/yuma/FORMAT.md)\n');
    return 2;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`yuma: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    process.stderr.write(`yuma: ${file} is not JSON: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const output = runScenario(parseScenario(json));
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`yuma: ${file}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv);
}
