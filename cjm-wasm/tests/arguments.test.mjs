// Arguments of the wrong JavaScript type (issue 14, items 6 and 7): every exported function
// and method, called with numbers, null, undefined, objects, BigInts… where another type is
// expected, throws a CjmError `wrong_type` naming the argument, never a WebAssembly trap
// or a TypeError without a code. Then what JSON cannot hold: NaN and infinite options are
// `invalid_option` (as in Python), a Date, RegExp, Map, Set or class instance in a document
// or an options object is `wrong_type` with its path, and an integer out of range is
// `invalid_option` naming the option and its range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cjm, catchCjm } from './helpers.mjs';

const { EventLog, Journey, template } = cjm;

const journey = template('b2c-ecommerce');
const doc = journey.toObject();
const columns = {
  customer: ['u1', 'u1', 'u1', 'u2'],
  timestamp: [0, 60, 120, 10],
  event: ['ad_click', 'view_item', 'purchase', 'view_item'],
  channel: ['ads', 'web', 'web', 'web'],
};
const log = EventLog.fromColumns(columns, { unit: 'seconds', journey });
const csv = 'case:concept:name,concept:name,time:timestamp\nc1,a,2025-01-01T00:00:00Z\n';
const table = { scope: ['a', 'b'], nps: [9, 3] };
const chart = { steps: [{ label: 'x', customers: 1 }] };

class Point {
  constructor() {
    this.x = 1;
  }
}

// What each kind of argument accepts, and values it must refuse. `null` and `undefined`
// are refused where the argument is required (they mean "not given" elsewhere).
const BAD = {
  string: [5, 5n, true, {}, [], () => 'x', Symbol('s'), new String('x')],
  object: [5, 5n, true, 'text', () => ({}), Symbol('s'), new Date(0), new Map()],
  array: [5, 5n, 'text', {}, new Set()],
  number: ['1', 5n, true, {}, [], Symbol('s')],
  boolean: [1, 'yes', {}, 5n],
  // A Journey, JSON text or a plain document.
  journey: [5, 5n, true, Symbol('s'), new Date(0)],
  // Path rows (an array) or a `{rows}` table.
  paths: [5, 5n, 'a > b', true],
  // `variants(k)`: a number or an options object.
  k: ['5', 5n, true, new Date(0)],
  // CSV text or its bytes.
  csv: [5, 5n, true, {}, [], null, undefined],
};

const opt = (kind) => ({ kind, required: false });
const req = (kind) => ({ kind, required: true });

// Every export: [name, call, valid arguments, specs of those arguments].
const FUNCTIONS = [
  ['loadJourney', cjm.loadJourney, [doc], [req('journey')]],
  ['validate', cjm.validate, [doc], [req('journey')]],
  ['template', cjm.template, ['b2c-ecommerce'], [req('string')]],
  ['surveyKpis', cjm.surveyKpis, [table, {}], [req('object'), opt('object')]],
  ['twoProportionTest', cjm.twoProportionTest, [1, 2, 1, 2], [req('number'), req('number'), req('number'), req('number')]],
  ['compareSegments', cjm.compareSegments, [table, { a: { scope: 'a' }, b: { scope: 'b' } }], [req('object'), req('object')]],
  ['diffMaps', cjm.diffMaps, [journey, journey, {}], [req('journey'), req('journey'), opt('object')]],
  ['patterns', cjm.patterns, [[journey], {}], [req('array'), opt('object')]],
  ['fromMermaid', cjm.fromMermaid, ['journey\n  section A\n    t: 3: Me'], [req('string')]],
  ['funnelSvg', cjm.funnelSvg, [chart], [req('object')]],
  ['flowSvg', cjm.flowSvg, [{ nodes: [], links: [] }], [req('object')]],
  ['barChartSvg', cjm.barChartSvg, [{ groups: [], series: [] }], [req('object')]],
  ['attribute', cjm.attribute, [[{ path: 'a > b', conversions: 1 }], {}, {}], [req('paths'), opt('object'), opt('object')]],
  ['Journey.fromJson', Journey.fromJson, [JSON.stringify(doc)], [req('string')]],
  ['Journey.fromObject', Journey.fromObject, [doc], [req('object')]],
  ['EventLog.fromColumns', EventLog.fromColumns, [columns, { unit: 'seconds' }], [req('object'), req('object')]],
  ['EventLog.fromCsv', EventLog.fromCsv, [csv, { preset: 'xes' }], [{ kind: 'csv', required: true }, opt('object')]],
];

const JOURNEY_METHODS = [
  ['toJson', [true], [opt('boolean')]],
  ['insights', [{}, {}], [opt('object'), opt('object')]],
  ['priorities', [{}], [opt('object')]],
  ['health', [{}, {}], [opt('object'), opt('object')]],
  ['mapSvg', [{}], [opt('object')]],
  ['emotionSvg', [{}], [opt('object')]],
  ['reportHtml', [{}], [opt('object')]],
  ['toMermaid', ['busy-professional', null, {}], [opt('string'), opt('object'), opt('object')]],
];

const LOG_METHODS = [
  ['traffic', [journey], [opt('journey')]],
  ['funnel', [['ad_click', 'purchase'], {}, journey], [req('array'), opt('object'), opt('journey')]],
  ['stageFunnel', [journey, {}], [opt('journey'), opt('object')]],
  ['retention', [{}], [opt('object')]],
  ['retentionSvg', [{}, {}], [opt('object'), opt('object')]],
  ['filter', [{ events: ['purchase'] }], [req('object')]],
  ['sample', [{ count: 1 }], [req('object')]],
  ['sessionize', [{ replace: true }], [opt('object')]],
  ['relabel', [{ labels: { purchase: 'buy' } }], [req('object')]],
  ['byStage', [journey], [opt('journey')]],
  ['byTouchpoint', [journey], [opt('journey')]],
  ['trends', [{}], [opt('object')]],
  ['funnelTrends', [['ad_click', 'purchase'], {}, {}, journey], [req('array'), opt('object'), opt('object'), opt('journey')]],
  ['trendsSvg', [{}, {}], [opt('object'), opt('object')]],
  ['funnelTrendsSvg', [['ad_click', 'purchase'], {}, {}, {}, journey], [req('array'), opt('object'), opt('object'), opt('object'), opt('journey')]],
  ['directlyFollows', [{}], [opt('object')]],
  ['directlyFollowsSvg', [{}], [opt('object')]],
  ['variants', [3], [opt('k')]],
  ['flows', [{}], [opt('object')]],
  ['journeyStates', [journey, {}], [opt('journey'), opt('object')]],
  ['drivers', [{ conversion: { event: 'purchase' } }, journey], [req('object'), opt('journey')]],
  ['conformance', [journey], [opt('journey')]],
  ['stageFunnelSvg', [journey, {}, {}], [opt('journey'), opt('object'), opt('object')]],
  ['flowsSvg', [{}, {}], [opt('object'), opt('object')]],
  ['insightInputs', [journey, {}], [opt('journey'), opt('object')]],
  ['healthInputs', [journey], [opt('journey')]],
  ['measureKpis', [journey, {}], [opt('journey'), opt('object')]],
  ['paths', [{ conversion_events: ['purchase'] }, journey], [req('object'), opt('journey')]],
  ['attribute', [{ conversion_events: ['purchase'] }, {}, journey], [req('object'), opt('object'), opt('journey')]],
];

// Exports without arguments, and what every class has.
const NO_ARGUMENTS = new Set(['templates', 'journeySchema', 'start', 'toObject', 'summary', 'emotionCurves', 'ingestReport', 'toColumns']);
const CLASS_PLUMBING = new Set(['constructor', 'free', '__destroy_into_raw', '__wrap', 'length', 'name', 'prototype']);

function describe(value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(typeof value);
  if (value instanceof Date) return 'a Date';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (value instanceof String) return 'a String object';
  return JSON.stringify(value) ?? String(value);
}

/** Calls `call` with the valid arguments, the one at `i` replaced by each bad value. */
function refuses(name, call, valid, specs) {
  specs.forEach((spec, i) => {
    const bad = [...BAD[spec.kind]];
    if (spec.required) bad.push(null, undefined);
    for (const value of bad) {
      const args = [...valid];
      args[i] = value;
      // Arguments after a missing required one are left out, as a caller would.
      if (value === undefined) args.length = i;
      const what = `${name}(argument ${i + 1} = ${describe(value)})`;
      let err;
      try {
        call(...args);
      } catch (e) {
        err = e;
      }
      assert.ok(err !== undefined, `${what}: nothing was thrown`);
      assert.equal(err?.name, 'CjmError', `${what}: threw ${err}`);
      assert.equal(err.code, 'wrong_type', `${what}: code ${err.code}: ${err.message}`);
      assert.equal(err.family, 'input', `${what}: family ${err.family}`);
    }
  });
}

test('every export is covered by this file', () => {
  const covered = new Set([...FUNCTIONS.map(([n]) => n), ...NO_ARGUMENTS, 'Journey', 'EventLog']);
  for (const name of Object.keys(cjm)) {
    assert.ok(covered.has(name), `export ${name} has no case here`);
  }
  const classes = [
    [Journey, JOURNEY_METHODS],
    [EventLog, LOG_METHODS],
  ];
  for (const [cls, methods] of classes) {
    const names = new Set([...methods.map(([n]) => n), ...NO_ARGUMENTS]);
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      const getter = Object.getOwnPropertyDescriptor(cls.prototype, key).get;
      if (CLASS_PLUMBING.has(key) || getter) continue;
      assert.ok(names.has(key), `${cls.name}.prototype.${key} has no case here`);
    }
    for (const key of Object.getOwnPropertyNames(cls)) {
      if (CLASS_PLUMBING.has(key)) continue;
      assert.ok(covered.has(`${cls.name}.${key}`), `${cls.name}.${key} has no case here`);
    }
  }
});

test('the valid calls of this file succeed', () => {
  for (const [name, call, valid] of FUNCTIONS) assert.doesNotThrow(() => call(...valid), name);
  for (const [name, valid] of JOURNEY_METHODS) assert.doesNotThrow(() => journey[name](...valid), name);
  for (const [name, valid] of LOG_METHODS) assert.doesNotThrow(() => log[name](...valid), name);
});

test('functions refuse arguments of the wrong type with wrong_type', () => {
  for (const [name, call, valid, specs] of FUNCTIONS) refuses(name, call, valid, specs);
});

test('Journey methods refuse arguments of the wrong type with wrong_type', () => {
  for (const [name, valid, specs] of JOURNEY_METHODS) refuses(`journey.${name}`, (...a) => journey[name](...a), valid, specs);
});

test('EventLog methods refuse arguments of the wrong type with wrong_type', () => {
  for (const [name, valid, specs] of LOG_METHODS) refuses(`log.${name}`, (...a) => log[name](...a), valid, specs);
});

test('the message names the argument and the type it needs', () => {
  let err = catchCjm(() => template(5));
  assert.match(err.message, /`name`/);
  assert.match(err.message, /string/);
  err = catchCjm(() => template(null));
  assert.equal(err.code, 'wrong_type');
  assert.match(err.message, /`name`/);
  err = catchCjm(() => Journey.fromJson(5));
  assert.match(err.message, /`text`.*string/);
  err = catchCjm(() => journey.toMermaid(5));
  assert.match(err.message, /`persona`.*string/);
  // Survey options without the answers they would score change nothing: refused.
  err = catchCjm(() => journey.toMermaid(null, null, { csat_method: 'mean' }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /^`surveyOptions` is given without `survey`/);
  err = catchCjm(() => journey.health(null, { surveyOptions: { csat_scale: 7 } }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /^`inputs\.surveyOptions` is given without `inputs\.survey`/);
  // A bad one is still named as such.
  err = catchCjm(() => journey.health(null, { surveyOptions: { colour: 1 } }));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => cjm.twoProportionTest(1n, 2, 1, 2));
  assert.match(err.message, /`x1`.*number/);
  err = catchCjm(() => log.funnel(['purchase'], 7));
  assert.match(err.message, /`options`.*object/);
  err = catchCjm(() => cjm.diffMaps(journey, 5));
  assert.match(err.message, /`after`/);
  // The instance is still usable after all of the above.
  assert.equal(template('b2c-ecommerce').id, 'b2c-ecommerce');
  assert.equal(journey.toMermaid().text.startsWith('journey'), true);
});

test('NaN and infinite options are invalid_option, as in Python', () => {
  // [what names the option in the message, call]: the core's own checks, as for Python.
  const cases = [
    [/lookback/, () => log.paths({ conversion_events: ['purchase'], lookback_seconds: NaN })],
    [/lookback/, () => log.attribute({ conversion_events: ['purchase'], lookback_seconds: Infinity })],
    [/half_life_seconds/, () => log.attribute({ conversion_events: ['purchase'] }, { half_life_seconds: NaN })],
    [/min_share/, () => log.flows({ min_share: NaN })],
    [/min_share/, () => log.flowsSvg({ min_share: -Infinity })],
    [/window_seconds/, () => log.funnel(['ad_click', 'purchase'], { window_seconds: NaN })],
    [/top_k/, () => log.variants({ top_k: NaN })],
    [/`k`/, () => log.variants(NaN)],
    [/`k`/, () => log.variants(Infinity)],
    [/high_priority/, () => journey.insights({ high_priority: NaN })],
    [/weights\.nps/, () => journey.health({ weights: { nps: NaN } })],
    [/width/, () => journey.mapSvg({ width: NaN })],
    [/min_group_size/, () => cjm.surveyKpis(table, { min_group_size: Infinity })],
    // Measured inputs too (they were read as `null` before, or as "not measured").
    [/traffic\.tp-paid-ads/, () => journey.health(null, { traffic: { 'tp-paid-ads': NaN } })],
    [/kpi_actuals/, () => journey.health(null, { kpiActuals: { 'kpi-conversion-rate': -Infinity } })],
    [/reach\.stages\.awareness/, () => journey.priorities({ stages: { awareness: Infinity } })],
    [/stage_drop_off/, () => journey.insights(null, { stage_drop_off: { awareness: NaN } })],
  ];
  for (const [option, call] of cases) {
    const err = catchCjm(call);
    assert.equal(err.code, 'invalid_option', `${option}: ${err.code}: ${err.message}`);
    assert.match(err.message, option);
  }
  // A path table's rows are data, not options: a NaN count is `not_finite` with its row.
  const err = catchCjm(() => cjm.attribute({ rows: [{ channels: ['a'], conversions: 1 }, { channels: ['b'], conversions: NaN }] }));
  assert.deepEqual([err.code, err.row], ['not_finite', 1]);
});

test('Date, RegExp, Map, Set and class instances in a document are wrong_type with their path', () => {
  const values = [
    ['when', new Date(0)],
    ['pattern', /x/],
    ['map', new Map([['a', 1]])],
    ['set', new Set([1])],
    ['point', new Point()],
  ];
  for (const [key, value] of values) {
    const bad = structuredClone(doc);
    bad.extensions = { ok: { nested: [1, 'two'] }, deep: [{ [key]: value }] };
    const where = `extensions.deep[0].${key}`;
    const err = catchCjm(() => Journey.fromObject(bad));
    assert.deepEqual([err.code, err.path, err.family], ['wrong_type', where, 'document'], `${key}: ${err.message}`);
    assert.equal(catchCjm(() => cjm.loadJourney(bad)).path, where);
    const result = cjm.validate(bad);
    assert.equal(result.valid, false);
    assert.deepEqual(result.problems.map((p) => [p.code, p.path]), [['wrong_type', where]]);
    // The same inside a journey passed as an argument.
    assert.equal(catchCjm(() => log.traffic(bad)).path, where);
  }
  // Every such value is reported, with the document's other problems.
  const bad = structuredClone(doc);
  bad.extensions = { a: new Date(0), b: [new Point()] };
  bad.stages[0].id = 'has space';
  const problems = cjm.validate(bad).problems.map((p) => [p.code, p.path]);
  assert.deepEqual(problems.filter(([c]) => c === 'wrong_type'), [['wrong_type', 'extensions.a'], ['wrong_type', 'extensions.b[0]']]);
  assert.ok(problems.some(([c, p]) => c === 'invalid_id' && p === 'stages[0].id'), JSON.stringify(problems));
  // Plain objects and null-prototype objects are JSON.
  const plain = structuredClone(doc);
  plain.extensions = { a: Object.assign(Object.create(null), { b: 1 }) };
  assert.deepEqual(Journey.fromObject(plain).toObject().extensions, { a: { b: 1 } });
});

test('Date, Map and class instances in options are wrong_type with their path', () => {
  let err = catchCjm(() => log.funnel(['ad_click', 'purchase'], { as_of: new Date(0) }));
  assert.equal(err.code, 'wrong_type');
  assert.match(err.message, /as_of/);
  err = catchCjm(() => journey.health({ weights: new Map([['nps', 1]]) }));
  assert.equal(err.code, 'wrong_type');
  assert.match(err.message, /weights/);
  err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: 1, seconds_to_conversion: [new Point()] }]));
  assert.equal(err.code, 'wrong_type');
  assert.match(err.message, /\[0\]\.seconds_to_conversion\[0\]/);
  // A cyclic options object is refused, not a stack overflow.
  const cyclic = { min_share: 0.1 };
  cyclic.self = cyclic;
  assert.equal(catchCjm(() => log.flows(cyclic)).family, 'input');
});

test('integers out of range are invalid_option naming the option and the range', () => {
  for (const k of [2 ** 53, 2 ** 32, Number.MAX_VALUE]) {
    const err = catchCjm(() => log.variants(k));
    assert.equal(err.code, 'invalid_option', `variants(${k}): ${err.message}`);
    assert.match(err.message, /`k` must be an integer from 0 to 4294967295/);
  }
  assert.equal(catchCjm(() => log.variants(-1)).code, 'invalid_option');
  assert.equal(catchCjm(() => log.variants(1.5)).code, 'invalid_option');
  assert.equal(log.variants(2 ** 32 - 1).variants.length > 0, true);
  let err = catchCjm(() => log.variants({ top_k: 2 ** 53 }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /top_k/);
  assert.match(err.message, /from 0 to 4294967295/);
  err = catchCjm(() => journey.mapSvg({ width: 2 ** 40 }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /width/);
  for (const x of [2 ** 64, -1, 0.5, NaN]) {
    err = catchCjm(() => cjm.twoProportionTest(x, 2 ** 60, 1, 2));
    assert.equal(err.code, 'invalid_option');
    assert.match(err.message, /`x1`/);
  }
});
