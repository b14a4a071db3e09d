// Shared by the node tests: the Node.js build of the package (run scripts/build.sh first).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const crateDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(crateDir, '..');

const require = createRequire(import.meta.url);
/** The package as Node.js users get it (`pkg/node`, CommonJS). */
export const cjm = require(join(crateDir, 'pkg', 'node', 'cjm_wasm.js'));

/** Problems as the sorted list of `[code, path]` pairs. */
export function pairs(problems) {
  return problems
    .map((p) => [p.code, p.path])
    .sort((a, b) => (a[0] + '\u0000' + a[1] < b[0] + '\u0000' + b[1] ? -1 : a[0] + '\u0000' + a[1] > b[0] + '\u0000' + b[1] ? 1 : 0));
}

/** Calls `fn`, which must throw a CjmError; returns the error. */
export function catchCjm(fn) {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'CjmError') {
      throw new Error(`expected a CjmError, got ${err}`);
    }
    return err;
  }
  throw new Error('expected a CjmError, but nothing was thrown');
}
