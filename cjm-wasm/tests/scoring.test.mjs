// Scoring on the Node.js build: the shared golden vectors of tests/vectors/survey/ and
// tests/vectors/scoring/ with the comparison of the Rust runner (every key of `expect`
// present in the result with an equal value, numbers to 1e-9 relative), typed arrays,
// errors with rows, and the journey methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, catchCjm, contains, repoRoot } from './helpers.mjs';

const { surveyKpis, loadJourney, template } = cjm;

function vectors(kind) {
  const dir = join(repoRoot, 'tests', 'vectors', kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8'))]);
}

const survey = vectors('survey');
const scoring = vectors('scoring');

test('scoring vectors exist', () => {
  assert.ok(survey.length >= 10);
  assert.ok(scoring.length >= 3);
});

for (const [file, vector] of survey) {
  test(`survey vector ${file}`, () => {
    const { table, options, expect } = vector;
    if (expect.error) {
      const err = catchCjm(() => surveyKpis(table, options));
      assert.equal(err.family, 'input');
      assert.equal(err.code, expect.error.code);
      assert.equal(err.row, expect.error.row ?? null);
      assert.equal(err.path, '');
      assert.deepEqual(err.problems, []);
    } else {
      const failures = contains(surveyKpis(table, options), expect, file);
      assert.deepEqual(failures, []);
    }
  });
}

for (const [file, vector] of scoring) {
  test(`scoring vector ${file}`, () => {
    const journey = loadJourney(vector.journey);
    const found = {
      priorities: journey.priorities(vector.reach),
      health: journey.health(vector.model, { survey: vector.survey, reach: vector.reach }),
    };
    assert.deepEqual(contains(found, vector.expect, file), []);
    journey.free();
  });
}

const TABLE = {
  scope: ['search', 'search', 'checkout', 'checkout', null, 'checkout'],
  segment: ['anna', 'ben', 'anna', null, 'ben', 'anna'],
  nps: [10, 6, null, 9, 7, 0],
  csat: [5, 4, 2, 4, 3, 5],
  ces: [7, 6, 1, 4, 2, 5],
};

test('typed arrays give the same report as plain arrays', () => {
  const plain = surveyKpis(TABLE, {});
  assert.ok(plain.groups.length > 3);
  const typed = {
    ...TABLE,
    csat: Float64Array.from(TABLE.csat),
    ces: Int8Array.from(TABLE.ces),
  };
  assert.deepEqual(surveyKpis(typed, {}), plain);
  assert.deepEqual(surveyKpis(TABLE), plain); // options may be left out
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);
  assert.ok(Array.isArray(plain.groups[0].csat.interval));
});

test('bad answers and options throw CjmError with code and row', () => {
  let err = catchCjm(() => surveyKpis({ nps: Float64Array.of(10, 9, NaN) }, {}));
  assert.ok(err instanceof Error);
  assert.deepEqual([err.family, err.code, err.row, err.path], ['input', 'not_finite', 2, '']);
  err = catchCjm(() => surveyKpis({ nps: [1, 2, 3, 12] }, {}));
  assert.deepEqual([err.code, err.row], ['out_of_scale', 3]);
  err = catchCjm(() => surveyKpis({ nps: [1] }, { csat_method: 'best' }));
  assert.deepEqual([err.family, err.code, err.row], ['input', 'invalid_option', null]);
  err = catchCjm(() => surveyKpis({ nps: [1] }, { csatMethod: 'mean' }));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => surveyKpis({ nps: ['ten'] }, {}));
  assert.equal(err.code, 'wrong_type');
  err = catchCjm(() => surveyKpis({ score: [1] }, {}));
  assert.equal(err.code, 'wrong_type');
  // The core's column names (`SurveyTable::KEYS`).
  assert.equal(err.message, '`table` has an unknown key `score`; known keys: scope, segment, nps, csat, ces');
  assert.equal(catchCjm(() => surveyKpis([[1]], {})).code, 'wrong_type');
});

test('journey scores: emotion curves, priorities, health with its inputs', () => {
  const journey = template('b2c-ecommerce');
  const doc = journey.toObject();
  const curves = journey.emotionCurves();
  assert.equal(curves.length, doc.personas.length);
  assert.equal(curves[0].stages.length, doc.stages.length);
  assert.equal(curves[0].definition.kind, 'emotion_curve');

  const plain = journey.priorities();
  assert.deepEqual(journey.priorities(null), plain);
  assert.deepEqual(plain.pain_points.map((p) => p.rank), plain.pain_points.map((_, i) => i + 1));
  const reached = journey.priorities({ stages: { purchase: 0.25 } });
  assert.ok(reached.pain_points.some((p) => p.reach_source === 'stage' && p.reach === 0.25));

  const tps = doc.touchpoints.map((t) => t.id);
  const table = {
    scope: Array.from({ length: 40 }, (_, i) => tps[i % tps.length]),
    nps: Float64Array.from({ length: 40 }, (_, i) => i % 11),
  };
  const health = journey.health(undefined, {
    survey: table,
    traffic: { [tps[0]]: 10 },
    kpiActuals: {},
  });
  assert.equal(health.journey.kind, 'journey');
  assert.ok(health.journey.components.some((c) => c.name === 'nps'));
  assert.equal(health.stages.length, doc.stages.length);
  assert.deepEqual(journey.health(), journey.health(null, {}));

  let err = catchCjm(() => journey.health({ weights: { nps: -1 } }));
  assert.deepEqual([err.family, err.code], ['input', 'invalid_option']);
  err = catchCjm(() => journey.health(null, { survey: surveyKpis(table, {}) }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /survey table/);
  err = catchCjm(() => journey.health(null, { survey: { nps: [11] } }));
  assert.deepEqual([err.code, err.row], ['out_of_scale', 0]);
  // A key set to `undefined` is not given; an unknown one is refused all the same, and
  // the message lists the keys, `survey` among them.
  assert.deepEqual(journey.health(null, { survey: undefined, surveyOptions: undefined, reach: undefined }), journey.health());
  err = catchCjm(() => journey.health(null, { surveys: undefined }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /surveys/);
  assert.match(err.message, /`survey`/);
  assert.equal(catchCjm(() => journey.health(null, { survey: undefined, surveyOptions: { csat_scale: 7 } })).code, 'invalid_option');
  err = catchCjm(() => journey.priorities({ stage: {} }));
  assert.equal(err.code, 'invalid_option');
  journey.free();
});

test('measured KPIs: the shared vector of tests/vectors/measured/', () => {
  const v = JSON.parse(readFileSync(join(repoRoot, 'tests', 'vectors', 'measured', 'measured-kpis.json'), 'utf8'));
  const journey = loadJourney(v.journey);
  const rows = v.events.rows;
  const log = cjm.EventLog.fromColumns(
    {
      customer: rows.map((r) => r[0]),
      timestamp: Float64Array.from(rows, (r) => r[1]),
      event: rows.map((r) => r[2]),
      value: rows.map((r) => r[3]),
    },
    { unit: 'milliseconds' },
  );
  const m = log.measureKpis(journey, {
    stage_funnel: log.stageFunnel(journey),
    conversion: log.funnel(v.conversion_steps),
    survey: surveyKpis(v.survey),
  });
  const e = v.expect;
  const got = Object.fromEntries(m.kpis.map((k) => [k.kpi, k]));
  assert.deepEqual(Object.keys(got).sort(), Object.keys(e.kpis).sort());
  for (const [kpi, [value, n, source]] of Object.entries(e.kpis)) {
    assert.ok(Math.abs(got[kpi].value - value) < 1e-9, `${kpi}: ${got[kpi].value} != ${value}`);
    assert.deepEqual([got[kpi].n, got[kpi].source], [n, source], kpi);
  }
  assert.deepEqual(m.not_measured.map((x) => x.kpi), e.not_measured);
  assert.deepEqual(m.losses[0], e.largest_loss);
  for (const key of ['events', 'customers', 'period_start', 'period_end']) assert.equal(m[key], e[key], key);
  // The report takes them as they are: the KPI table shows the designed 0.9 conversion
  // beside the measured 0.5, and the glance opens the page.
  const html = journey.reportHtml({ measured: m });
  assert.ok(html.includes('<section id="glance">'));
  assert.match(html, /<td>Conversion<\/td><td>whole journey<\/td><td class="num">50\u00a0%<\/td><td class="num">90\u00a0%<\/td><td class="num">50\u00a0%<\/td>/);
  const health = journey.health(null, { measured: m });
  assert.ok(health.journey.score > 0);
  assert.equal(catchCjm(() => log.measureKpis(journey, { stage: 1 })).code, 'invalid_option');
});
