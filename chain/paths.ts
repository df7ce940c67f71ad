import fs from 'node:fs';
import path from 'node:path';
import { ChainError } from './errors';

/**
 * The package root: the nearest ancestor of `from` holding chain/hardhat.config.js.
 * Code runs both from source (chain/, under jest) and compiled (lib/chain/), so paths are found
 * by walking up rather than assumed relative to the cwd.
 * @internal
 */
export function findPackageRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'chain', 'hardhat.config.js'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new ChainError(`cannot find the package root (chain/hardhat.config.js) above ${from}`);
    dir = parent;
  }
}
