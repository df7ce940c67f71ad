// Paths relative to the package root, so they hold both from the sources (inference/) and from
// the compiled tree (lib/inference/), whatever the working directory is.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
/** The registry that ships with the repo (source tree, not lib/). */
export const DEFAULT_MODEL_DIR = path.join(PACKAGE_ROOT, 'inference', 'models');
