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

/** The comparison of cjm-core/tests/common/mod.rs; returns the list of failures. */
export function contains(found, expected, at, failures = []) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (found === null || typeof found !== 'object' || Array.isArray(found)) {
      failures.push(`${at}: ${JSON.stringify(found)} is not an object`);
      return failures;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (key in found) contains(found[key], value, `${at}.${key}`, failures);
      else failures.push(`${at}.${key}: missing`);
    }
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(found)) {
      failures.push(`${at}: ${JSON.stringify(found)} is not an array`);
      return failures;
    }
    if (found.length !== expected.length) {
      failures.push(`${at}: ${found.length} items, expected ${expected.length}`);
    }
    expected.forEach((value, i) => {
      if (i < found.length) contains(found[i], value, `${at}[${i}]`, failures);
    });
  } else if (typeof expected === 'number' && typeof found === 'number') {
    if (Math.abs(found - expected) > 1e-9 * Math.max(Math.abs(expected), 1)) {
      failures.push(`${at}: ${found} != ${expected}`);
    }
  } else if (found !== expected) {
    failures.push(`${at}: ${JSON.stringify(found)} != ${JSON.stringify(expected)}`);
  }
  return failures;
}


/**
 * A result's tables against a vector's `tables` (`{name: {columns, rows}}`): the column
 * names in full and in order, every row, numbers within 1e-9, `null` where null; the same
 * check as cjm-core/tests/common/mod.rs. Returns the failures.
 */
export function tablesMatch(result, tables, at, failures = []) {
  for (const [name, want] of Object.entries(tables)) {
    if (!result.tables().includes(name)) failures.push(`${at} ${name}: not in tables()`);
    const table = result.table(name);
    const columns = Object.keys(table);
    if (JSON.stringify(columns) !== JSON.stringify(want.columns)) {
      failures.push(`${at} ${name}: columns ${JSON.stringify(columns)}`);
      continue;
    }
    want.rows.forEach((row, i) => {
      const got = columns.map((c) => table[c][i]);
      contains(got, row, `${at} ${name}[${i}]`, failures);
    });
    for (const c of columns) {
      if (table[c].length !== want.rows.length) failures.push(`${at} ${name}.${c}: ${table[c].length} rows`);
    }
  }
  return failures;
}
