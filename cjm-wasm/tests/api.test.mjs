// The JavaScript API on the Node.js build: loading, errors as Error objects with codes and
// paths, limits, templates and round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cjm, catchCjm } from './helpers.mjs';

const { Journey, loadJourney, validate, templates, template, journeySchema } = cjm;

/** A fresh, valid document with stages, touchpoints and personas. */
function doc() {
  return template('b2c-ecommerce').toObject();
}

function hasProblem(problems, code, path) {
  return problems.some((p) => p.code === code && (path === undefined || p.path === path));
}

test('templates are listed and load', () => {
  const list = templates();
  assert.ok(Array.isArray(list) && list.length >= 3);
  assert.deepEqual(
    list.map((t) => t.name).slice(0, 3),
    ['b2c-ecommerce', 'b2b-saas', 'subscription-retention'],
  );
  for (const info of list) {
    assert.equal(typeof info.title, 'string');
    assert.equal(typeof info.description, 'string');
    const journey = template(info.name);
    assert.ok(journey instanceof Journey);
    assert.equal(journey.schemaVersion, 1);
    assert.equal(typeof journey.id, 'string');
    assert.equal(typeof journey.name, 'string');
    const summary = journey.summary();
    assert.equal(summary.id, journey.id);
    assert.ok(Array.isArray(summary.stages));
    assert.equal(
      summary.stages.reduce((n, s) => n + s.touchpoints, 0) <= summary.touchpoints,
      true,
    );
    assert.deepEqual(validate(journey.toObject()), { valid: true, problems: [] });
  }
});

test('outputs are plain objects', () => {
  const object = doc();
  assert.equal(Object.getPrototypeOf(object), Object.prototype);
  assert.ok(!(object instanceof Map));
  const summary = template('b2c-ecommerce').summary();
  assert.equal(Object.getPrototypeOf(summary), Object.prototype);
  const schema = journeySchema();
  assert.equal(Object.getPrototypeOf(schema), Object.prototype);
  assert.equal(typeof schema.$defs, 'object');
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('round trip toObject → fromObject and toJson → fromJson', () => {
  for (const { name } of templates()) {
    const journey = template(name);
    const object = journey.toObject();
    const again = Journey.fromObject(object);
    assert.deepEqual(again.toObject(), object);
    const fromText = Journey.fromJson(journey.toJson());
    assert.deepEqual(fromText.toObject(), object);
    const pretty = journey.toJson(true);
    assert.ok(pretty.includes('\n  "'));
    assert.deepEqual(JSON.parse(pretty), object);
    assert.deepEqual(loadJourney(JSON.stringify(object)).toObject(), object);
  }
});

test('broken JSON gives invalid_json', () => {
  const err = catchCjm(() => Journey.fromJson('{"schema_version": 1, "id": '));
  assert.equal(err.code, 'invalid_json');
  assert.equal(err.family, 'document');
  assert.equal(typeof err.path, 'string');
  assert.equal(err.problems.length, 1);
  assert.equal(validate('{').valid, false);
  assert.equal(validate('{').problems[0].code, 'invalid_json');
});

test('errors are real Error objects with code, path, family and problems', () => {
  const object = doc();
  object.name = 5;
  const err = catchCjm(() => Journey.fromObject(object));
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'CjmError');
  assert.equal(err.code, 'wrong_type');
  assert.equal(err.path, 'name');
  assert.equal(err.family, 'document');
  assert.ok(Array.isArray(err.problems));
  assert.deepEqual(Object.keys(err.problems[0]).sort(), ['code', 'message', 'path']);
  assert.match(err.message, /wrong_type/);
  assert.ok(typeof err.stack === 'string');
});

test('a missing field is reported with its path', () => {
  const err = catchCjm(() => loadJourney({ schema_version: 1, id: 'x' }));
  assert.equal(err.code, 'missing_field');
  assert.equal(err.path, 'name');
});

test('a dangling reference has its path, and every problem is reported', () => {
  const object = doc();
  object.touchpoints[0].stage = 'nope';
  object.touchpoints[1].channel = 'nowhere';
  const err = catchCjm(() => loadJourney(object));
  assert.ok(hasProblem(err.problems, 'dangling_reference', 'touchpoints[0].stage'), err.message);
  assert.ok(hasProblem(err.problems, 'dangling_reference', 'touchpoints[1].channel'), err.message);
  const result = validate(object);
  assert.equal(result.valid, false);
  assert.deepEqual(result.problems, err.problems);
});

test('duplicate ids are reported', () => {
  const object = doc();
  object.stages[1].id = object.stages[0].id;
  const { valid, problems } = validate(object);
  assert.equal(valid, false);
  assert.ok(
    problems.some((p) => p.code === 'duplicate_id' && p.path.startsWith('stages[1]')),
    JSON.stringify(problems),
  );
});

test('NaN in an object is not_finite at its path (not turned into null)', () => {
  const object = doc();
  assert.ok(object.personas.length > 0);
  object.personas[0].share = NaN;
  const err = catchCjm(() => Journey.fromObject(object));
  assert.ok(hasProblem(err.problems, 'not_finite', 'personas[0].share'), err.message);
  object.personas[0].share = Infinity;
  assert.ok(hasProblem(validate(object).problems, 'not_finite', 'personas[0].share'));
});

test('out-of-range values are reported', () => {
  const object = doc();
  object.personas[0].share = 2;
  const err = catchCjm(() => Journey.fromObject(object));
  assert.ok(hasProblem(err.problems, 'out_of_range', 'personas[0].share'), err.message);
});

test('unknown fields are reported with their path; extensions are kept verbatim', () => {
  const object = doc();
  object.colour = 'blue';
  const err = catchCjm(() => Journey.fromObject(object));
  assert.ok(hasProblem(err.problems, 'unknown_field', 'colour'), err.message);
  delete object.colour;
  object.extensions = { colour: 'blue', nested: { list: [1, 2.5, null, true] } };
  assert.deepEqual(Journey.fromObject(object).toObject().extensions, object.extensions);
});

test('200-deep nesting is too_deep, as an object and as text', () => {
  let deep = {};
  for (let i = 0; i < 200; i++) deep = { a: deep };
  const object = doc();
  object.extensions = { deep };
  const err = catchCjm(() => Journey.fromObject(object));
  assert.equal(err.code, 'too_deep');
  assert.ok(err.path.startsWith('extensions.deep'), err.path);
  const errText = catchCjm(() => Journey.fromJson(JSON.stringify(object)));
  assert.equal(errText.code, 'too_deep');
  assert.ok(errText.path.startsWith('extensions.deep'), errText.path);
  // And arrays, which JSON.stringify cannot hide.
  assert.equal(validate('['.repeat(200) + ']'.repeat(200)).problems[0].code, 'too_deep');
});

test('a 50 MB string is refused without exhausting the module', () => {
  const big = 'x'.repeat(50 * 1024 * 1024);
  const object = doc();
  object.name = big;
  const err = catchCjm(() => Journey.fromObject(object));
  assert.ok(['string_too_long', 'document_too_large'].includes(err.code), err.code);
  const errText = catchCjm(() => Journey.fromJson(JSON.stringify(object)));
  assert.ok(['string_too_long', 'document_too_large'].includes(errText.code), errText.code);
  // The instance still works afterwards.
  assert.equal(template('b2b-saas').schemaVersion, 1);
});

test('validate never throws for document problems', () => {
  for (const input of ['', 'null', '[]', '{"schema_version": 1', { schema_version: 99 }, {}]) {
    const result = validate(input);
    assert.equal(result.valid, false, String(input));
    assert.ok(result.problems.length > 0, String(input));
    for (const p of result.problems) {
      assert.equal(typeof p.code, 'string');
      assert.equal(typeof p.path, 'string');
      assert.equal(typeof p.message, 'string');
    }
  }
  // An argument that is neither text nor a plain object is not a document: it throws.
  for (const input of [undefined, null, 42, true, [], 5n, new Date()]) {
    assert.equal(catchCjm(() => validate(input)).code, 'wrong_type', String(input));
  }
});

test('a newer schema version is refused', () => {
  const object = doc();
  object.schema_version = 2;
  const err = catchCjm(() => loadJourney(object));
  assert.equal(err.code, 'unsupported_schema_version');
  assert.equal(err.path, 'schema_version');
});

test('an unknown template is a template error', () => {
  const err = catchCjm(() => template('nope'));
  assert.equal(err.code, 'unknown_template');
  assert.equal(err.family, 'template');
  assert.equal(err.path, '');
  assert.match(err.message, /b2c-ecommerce/);
});
