// Insights and comparisons on the Node.js build: the shared golden vectors of
// tests/vectors/insights/ and tests/vectors/compare/ (as cjm-core/tests/insights.rs and
// compare.rs run them), then compareSegments, diffMaps and patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, catchCjm, contains, repoRoot } from './helpers.mjs';

const { loadJourney, template, twoProportionTest, compareSegments, diffMaps, patterns } = cjm;

function vectors(kind) {
  const dir = join(repoRoot, 'tests', 'vectors', kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8'))]);
}

const insightVectors = vectors('insights');

test('insight vectors exist', () => assert.ok(insightVectors.length >= 4));

for (const [file, v] of insightVectors) {
  test(`insight vector ${file}`, () => {
    const journey = loadJourney(v.journey);
    if (v.expect.error) {
      const err = catchCjm(() => journey.insights(v.options, v.inputs));
      assert.deepEqual([err.family, err.code], ['input', v.expect.error]);
    } else {
      const report = journey.insights(v.options, v.inputs);
      assert.deepEqual(report.insights.map((i) => [i.code, i.path, i.severity]), v.expect.insights);
      assert.deepEqual(report.not_checked, v.expect.not_checked);
      assert.ok(report.insights.every((i) => i.message.length > 0));
      assert.equal(report.definition.kind, 'insights');
    }
    journey.free();
  });
}

test('two-proportion vectors (statsmodels values)', () => {
  const v = JSON.parse(readFileSync(join(repoRoot, 'tests/vectors/compare/two-proportion-z.json'), 'utf8'));
  assert.ok(v.cases.length >= 4);
  v.cases.forEach((c, i) => {
    const found = twoProportionTest(c.x1, c.n1, c.x2, c.n2);
    assert.deepEqual(contains(found, c.expect, `case ${i}`), []);
  });
});

test('twoProportionTest refuses counts that are not counts', () => {
  for (const args of [[-1, 10, 1, 10], [1.5, 10, 1, 10], [11, 10, 1, 10], [1, 10, NaN, 10]]) {
    const err = catchCjm(() => twoProportionTest(...args));
    assert.deepEqual([err.family, err.code], ['input', 'invalid_option']);
  }
});

// The hand-worked comparison of cjm-core/tests/compare.rs (personas_compared_by_hand).
test('compareSegments: personas compared by hand', () => {
  const table = {
    scope: ['checkout', 'checkout', 'checkout', 'search'],
    segment: ['anna', 'ben', 'anna', 'anna'],
    nps: [10, 0, 8, 9],
    csat: Float64Array.of(5, 1, 4, 2),
  };
  const c = compareSegments(table, { a: { segment: 'anna' }, b: { segment: 'ben' } });
  assert.equal(c.kpis.length, 2, 'no CES column, no CES comparison');
  const [nps, csat] = c.kpis;
  assert.equal(nps.metric, 'nps');
  assert.ok(Math.abs(nps.difference - (200 / 3 + 100)) < 1e-9);
  assert.ok(Math.abs(nps.margin - 53.344443287278104) < 1e-9);
  assert.equal(nps.significant, true);
  assert.equal(csat.method, 'two_proportion_z');
  const z = (2 / 3) / Math.sqrt(0.25 * (1 / 3 + 1));
  assert.ok(Math.abs(csat.z - z) < 1e-12);
  assert.equal(c.definition.kind, 'group_comparison');

  // Explicit levels, and scope × segment.
  const bySegment = compareSegments(table, { a: { level: 'segment', segment: 'anna' }, b: { segment: 'ben' } });
  assert.deepEqual(bySegment, c);
  const scoped = compareSegments(table, { a: { scope: 'checkout', segment: 'anna' }, b: { scope: 'search' } });
  assert.equal(scoped.kpis[0].a, 50); // anna at checkout: 10 and 8 → (1 − 0)/2

  let err = catchCjm(() => compareSegments(table, { a: { segment: 'anna' }, b: { segment: 'zoe' } }));
  assert.equal(err.code, 'invalid_option');
  assert.equal(err.message, '`options.b`: no responses at level `segment` with segment `zoe`');
  // Without a scope column a segment is still a group (the core's `GroupSelector`), the
  // same as Python's compare_groups; a scope then has no column to come from.
  const plain = { segment: table.segment, nps: table.nps, csat: table.csat };
  assert.deepEqual(compareSegments(plain, { a: { segment: 'anna' }, b: { segment: 'ben' } }), c);
  err = catchCjm(() => compareSegments(plain, { a: { scope: 'checkout', segment: 'anna' }, b: { segment: 'ben' } }));
  assert.match(err.message, /without a scope column/);
  err = catchCjm(() => compareSegments(table, { a: { segment: 'anna' } }));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => compareSegments(table, { a: {}, b: {}, c: {} }));
  assert.equal(err.code, 'invalid_option');
  // `survey` left out, `undefined` or `null`: the defaults.
  for (const survey of [undefined, null]) {
    assert.deepEqual(compareSegments(table, { a: { segment: 'anna' }, b: { segment: 'ben' }, survey }), c);
  }
  // A comparison hides no group: a minimum group size is refused, not ignored.
  err = catchCjm(() => compareSegments(table, {
    a: { segment: 'anna' }, b: { segment: 'ben' }, survey: { min_group_size: 5 },
  }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /^`min_group_size` \(5\) does not apply to a comparison/);
  err = catchCjm(() => compareSegments({ nps: [11] }, { a: {}, b: {} }));
  assert.deepEqual([err.code, err.row], ['out_of_scale', 0]);
});

test('diffMaps: structure and score deltas', () => {
  const before = template('b2c-ecommerce');
  const doc = before.toObject();
  doc.name = 'B2C v2';
  doc.touchpoints[0].name = 'Renamed';
  doc.stages.push({ ...doc.stages[0], id: 'loyalty-club', name: 'Loyalty club' });
  const after = loadJourney(doc);
  const diff = diffMaps(before, after);
  assert.deepEqual(diff.journey_fields, ['name']);
  assert.deepEqual(diff.collections.stages.added, ['loyalty-club']);
  assert.deepEqual(diff.collections.touchpoints.changed[0], { id: doc.touchpoints[0].id, fields: ['name'] });
  assert.ok(diff.scores.some((s) => s.kind === 'stage' && s.id === 'loyalty-club' && s.before === null));
  const same = diffMaps(before, before, null);
  assert.deepEqual(same.journey_fields, []);
  assert.deepEqual(same.collections, {});
  // The journeys stay usable (they are borrowed, not moved).
  assert.equal(before.name, doc.name === before.name ? doc.name : before.name);
  assert.equal(after.name, 'B2C v2');
  assert.equal(catchCjm(() => diffMaps(before, after, { weights: { nps: -1 } })).code, 'invalid_option');
});

test('patterns recur across maps given as Journeys, documents and text', () => {
  const a = template('b2c-ecommerce');
  const doc = a.toObject();
  doc.id = 'b2c-copy';
  for (const p of doc.pain_points) p.name = `  ${p.name.toUpperCase()}  `;
  const found = patterns([a, doc, template('b2b-saas').toJson()]);
  const pains = found.patterns.filter((p) => p.kind === 'pain_point');
  assert.equal(pains.length, doc.pain_points.length);
  assert.ok(pains.every((p) => p.maps === 2 && p.map_ids.join() === 'b2c-ecommerce,b2c-copy'));
  assert.ok(found.patterns.some((p) => p.kind === 'insight' && p.maps === 3));
  assert.equal(a.id, 'b2c-ecommerce', 'a Journey in the array stays usable');
  const err = catchCjm(() => patterns([a, { schema_version: 1 }]));
  assert.equal(err.family, 'document');
  // Nothing is measured across maps: the thresholds of measured data are refused.
  for (const key of ['high_drop_off', 'unmapped_share']) {
    const refused = catchCjm(() => patterns([a, doc], { [key]: 0.2 }));
    assert.equal(refused.code, 'invalid_option');
    assert.match(refused.message, new RegExp(key));
  }
  assert.equal(catchCjm(() => patterns('nope')).code, 'wrong_type');
});

test('templates lint with their unaddressed pain points', () => {
  for (const { name } of cjm.templates()) {
    const report = template(name).insights({ as_of: '2026-11-22' });
    assert.ok(report.insights.some((i) => i.code.endsWith('unaddressed')), name);
  }
});
