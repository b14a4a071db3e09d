// The language-neutral golden vectors of tests/vectors/documents/: every file is loaded as
// a plain object and as JSON text (or only as text, for `input_text`), and the problems
// must equal the expected ones as a sorted list of [code, path] pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, pairs, catchCjm, repoRoot } from './helpers.mjs';

const dir = join(repoRoot, 'tests', 'vectors', 'documents');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

function check(name, how, input, expect) {
  const result = cjm.validate(input);
  assert.equal(result.valid, expect.valid, `${name} (${how}): valid`);
  if (expect.valid) {
    assert.deepEqual(result.problems, [], `${name} (${how})`);
    const journey = cjm.loadJourney(input);
    assert.equal(journey.schemaVersion, 1);
    journey.free();
    return;
  }
  const want = pairs(expect.problems ?? []);
  assert.deepEqual(pairs(result.problems), want, `${name} (${how}): problems`);
  const err = catchCjm(() => cjm.loadJourney(input));
  assert.equal(err.family, 'document');
  assert.deepEqual(pairs(err.problems), want, `${name} (${how}): thrown problems`);
  assert.equal(err.code, err.problems[0].code);
  assert.equal(err.path, err.problems[0].path);
}

test('golden vectors exist', { skip: existsSync(dir) ? false : `no ${dir} yet` }, () => {
  assert.ok(files.length > 0, `no vector files in ${dir}`);
});

for (const file of files) {
  test(`vector ${file}`, () => {
    const vector = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    assert.ok(vector.expect && typeof vector.expect.valid === 'boolean', `${file}: bad vector`);
    if ('input_text' in vector) {
      check(file, 'text', vector.input_text, vector.expect);
    } else {
      check(file, 'object', vector.input, vector.expect);
      check(file, 'text', JSON.stringify(vector.input), vector.expect);
    }
  });
}
