// Event logs on the Node.js build: the shared golden vectors of tests/vectors/events/ (as
// cjm-core/tests/events_vectors.rs runs them), typed-array columns, CSV input, and every
// analysis of a log bound to a template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, catchCjm, contains, repoRoot, tablesMatch } from './helpers.mjs';

const { EventLog, template } = cjm;

const dir = join(repoRoot, 'tests', 'vectors', 'events');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** The vector's rows `[customer, timestamp, event, channel?, value?, session?]` as columns. */
function columnsOf(events) {
  return {
    customer: events.map((r) => r[0]),
    timestamp: events.map((r) => r[1]),
    event: events.map((r) => r[2]),
    channel: events.map((r) => r[3] ?? null),
    value: events.map((r) => r[4] ?? null),
    session: events.map((r) => r[5] ?? null),
  };
}

test('event vectors exist', () => assert.ok(files.length >= 7 && files.includes('retention.json') && files.includes('trends.json')));

for (const file of files) {
  test(`event vector ${file}`, () => {
    const v = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const log = EventLog.fromColumns(columnsOf(v.events), { unit: v.time_unit });
    assert.equal(log.ingestReport().rejected_total, 0);
    v.cases.forEach((c, i) => {
      if (v.kind === 'log_operations') {
        const run = () => (c.filter ? log.filter(c.filter) : c.sample ? log.sample(c.sample) : log.sessionize(c.sessionize));
        if (c.error) {
          assert.equal(catchCjm(run).code, c.error, `${file}#${i}`);
          return;
        }
        const out = run();
        const cols = out.toColumns();
        const events = cols.customer.map((id, k) => [id, Number(cols.timestamp[k] / 1_000_000_000n), cols.event[k]]);
        const found = { customers: [...new Set(cols.customer)], events };
        if (cols.session) found.sessions = cols.session;
        assert.deepEqual(contains(found, c.expected, `${file}#${i}`), []);
        out.free();
        return;
      }
      let found;
      if (v.kind === 'funnel') found = log.funnel(c.funnel.steps, c.funnel.options);
      else if (v.kind === 'directly_follows') found = log.directlyFollows(c.options);
      else if (v.kind === 'variants') found = log.variants(c.options);
      else if (v.kind === 'retention') found = log.retention(c.options);
      else if (v.kind === 'trends' && c.funnel) found = log.funnelTrends(c.funnel.steps, c.funnel.options, c.options);
      else if (v.kind === 'trends') found = log.trends(c.options);
      else throw new Error(`unknown vector kind ${v.kind}`);
      assert.deepEqual(contains(found, c.expected, `${file}#${i}`), []);
      if (c.tables) assert.deepEqual(tablesMatch(found, c.tables, `${file}#${i}`), []);
    });
    log.free();
  });
}

/** A small log on the b2c template's events: three customers. */
const ROWS = [
  ['u1', 0, 'ad_click', 'ads'],
  ['u1', 60, 'view_item', 'web'],
  ['u1', 120, 'add_to_cart', 'web'],
  ['u1', 180, 'purchase', 'web', 49.5],
  ['u2', 10, 'first_visit', 'web'],
  ['u2', 70, 'view_item', 'web'],
  ['u2', 80, 'scroll', 'web'],
  ['u3', 5, 'ad_click', 'ads'],
];

test('typed arrays give the same log as plain arrays', () => {
  const plain = columnsOf(ROWS);
  const a = EventLog.fromColumns(plain, { unit: 'seconds' });
  const b = EventLog.fromColumns(
    { ...plain, timestamp: BigInt64Array.from(ROWS, (r) => BigInt(r[1])), value: Float64Array.from(ROWS, (r) => r[4] ?? 0) },
    { unit: 'seconds' },
  );
  const c = EventLog.fromColumns({ ...plain, timestamp: Float64Array.from(ROWS, (r) => r[1]) }, { unit: 'seconds' });
  const d = EventLog.fromColumns({ ...plain, timestamp: ROWS.map((r) => new Date(r[1] * 1000).toISOString()) }, { unit: 'seconds' });
  assert.equal(a.length, ROWS.length);
  for (const other of [b, c, d]) {
    assert.deepEqual(other.variants(5), a.variants(5));
    assert.deepEqual(other.funnel(['ad_click', 'purchase']), a.funnel(['ad_click', 'purchase']));
  }
  // NaN in a Float64Array of timestamps is a missing timestamp, reported, not dropped.
  const e = EventLog.fromColumns({ ...plain, timestamp: Float64Array.from(ROWS, (r, i) => (i === 2 ? NaN : r[1])) }, { unit: 'seconds' });
  const report = e.ingestReport();
  assert.equal(report.rows_read, ROWS.length);
  assert.deepEqual(report.rejected.map((r) => [r.reason, r.count]), [['missing_timestamp', 1]]);
});

test('BigInt64Array customer ids stay integers, sorted by value', () => {
  // u1, u2, u3 become 10, 2, -5: as text "-5" < "10" < "2"; as integers -5 < 2 < 10.
  const ids = { u1: 10n, u2: 2n, u3: -5n };
  const plain = columnsOf(ROWS);
  const text = EventLog.fromColumns(plain, { unit: 'seconds' });
  const ints = EventLog.fromColumns({ ...plain, customer: BigInt64Array.from(ROWS, (r) => ids[r[0]]) }, { unit: 'seconds' });
  assert.deepEqual(ints.variants(5), text.variants(5));
  assert.deepEqual(ints.funnel(['ad_click', 'purchase']), text.funnel(['ad_click', 'purchase']));
  assert.equal(ints.ingestReport().customers, 3);
  const states = ints.journeyStates(template('b2c-ecommerce'), { conversion: { event: 'purchase' } });
  assert.deepEqual(states.customers.map((c) => [c.customer, c.converted]), [['-5', false], ['2', false], ['10', true]]);
  // Text timestamps take the row path: the ids read as their decimal text, in text order.
  const rows = EventLog.fromColumns(
    { ...plain, customer: BigInt64Array.from(ROWS, (r) => ids[r[0]]), timestamp: ROWS.map((r) => new Date(r[1] * 1000).toISOString()) },
    { unit: 'seconds' },
  );
  assert.deepEqual(rows.variants(5), text.variants(5));
});

test('numbers and BigInts in text columns are the text String(x) gives', () => {
  // JavaScript's own String(x) is the oracle: exponent forms, a tie between two shortest
  // candidates (565065190359033.25), 2^-24 (whose even candidate does not read back),
  // negative zero, NaN, the largest 64-bit BigInt.
  const odd = [12, -3, 0.5, 1e21, 1e-7, 0.1 + 0.2, 565065190359033.25, 2 ** -24, -0, NaN, 5e-324, 2n ** 63n - 1n, -7n];
  const log = EventLog.fromColumns(
    { customer: odd, timestamp: odd.map((_, i) => i), event: odd, value: odd.map((x) => (typeof x === 'bigint' ? x : 1)) },
    { unit: 'seconds' },
  );
  const cols = log.toColumns();
  assert.deepEqual([...cols.event].sort(), odd.map(String).sort());
  assert.deepEqual([...cols.customer].sort(), odd.map(String).sort());
  // A BigInt value is the nearest number.
  assert.deepEqual(cols.value.filter((v) => v !== 1).sort(), [Number(2n ** 63n - 1n), -7].sort());
  // What a cell may not be, named with its row, whatever it is; and a column that is no array.
  for (const bad of [true, {}, [1], Symbol('s'), new Set([1]), 2n ** 64n, -(2n ** 63n) - 1n, () => 1]) {
    for (const column of ['customer', 'timestamp', 'event', 'value']) {
      const columns = { customer: ['a', 'b'], timestamp: [0, 1], event: ['x', 'y'], value: [1, 2] };
      columns[column] = [columns[column][0], bad];
      const err = catchCjm(() => EventLog.fromColumns(columns, { unit: 'seconds' }));
      assert.deepEqual([err.code, err.row], ['wrong_type', 1], `${column}: ${String(bad)}`);
      assert.match(err.message, new RegExp(`column \`${column}\`, row \`1\`: expected`));
    }
  }
  let err = catchCjm(() => EventLog.fromColumns({ customer: ['a'], timestamp: [0], event: ['x'], value: ['1'] }, { unit: 'seconds' }));
  assert.deepEqual([err.code, err.row], ['wrong_type', 0]);
  err = catchCjm(() => EventLog.fromColumns({ customer: 'a', timestamp: [0], event: ['x'] }, { unit: 'seconds' }));
  assert.deepEqual([err.code, err.row], ['wrong_type', null]);
  assert.match(err.message, /`columns\.customer` must be an array or a typed array, not a string/);
  // An array-like without an iterator is read as an array.
  const arrayLike = { length: 1, 0: 'u1' };
  assert.equal(EventLog.fromColumns({ customer: arrayLike, timestamp: [0], event: ['x'] }, { unit: 'seconds' }).length, 1);
});

test('column and option errors', () => {
  const plain = columnsOf(ROWS);
  let err = catchCjm(() => EventLog.fromColumns(plain, {}));
  assert.deepEqual([err.family, err.code], ['input', 'invalid_option']);
  err = catchCjm(() => EventLog.fromColumns({ ...plain, event: plain.event.slice(1) }, { unit: 'seconds' }));
  assert.equal(err.code, 'column_length_mismatch');
  err = catchCjm(() => EventLog.fromColumns({ ...plain, timestamp: plain.timestamp.map((t, i) => (i === 3 ? 1.5 : t)) }, { unit: 'seconds' }));
  assert.deepEqual([err.code, err.row], ['wrong_type', 3]);
  err = catchCjm(() => EventLog.fromColumns({ ...plain, customer: plain.customer.map((c, i) => (i === 2 ? {} : c)) }, { unit: 'seconds' }));
  assert.deepEqual([err.code, err.row], ['wrong_type', 2]);
  err = catchCjm(() => EventLog.fromColumns({ ...plain, when: [] }, { unit: 'seconds' }));
  assert.equal(err.code, 'wrong_type');
  err = catchCjm(() => EventLog.fromColumns(plain, { unit: 'seconds', strict: true, dedupe: true }));
  assert.equal(err.code, 'invalid_option');
  // The journey's errors before the other options' (as before the request types).
  err = catchCjm(() => EventLog.fromColumns(plain, { unit: 'parsecs', journey: '{' }));
  assert.deepEqual([err.family, err.code], ['document', 'invalid_json']);
  err = catchCjm(() => EventLog.fromCsv('customer,timestamp,event\n', { unit: 'parsecs', journey: '{' }));
  assert.equal(err.family, 'document');
  err = catchCjm(() => EventLog.fromColumns({ ...plain, customer: plain.customer.map((c, i) => (i === 4 ? null : c)) }, { unit: 'seconds', strict: true }));
  assert.equal(err.row, 4);
  const log = EventLog.fromColumns(plain, { unit: 'seconds' });
  assert.equal(catchCjm(() => log.traffic()).code, 'invalid_option');
  assert.equal(catchCjm(() => log.funnel([])).code, 'invalid_funnel');
  // A null step, or one with two keys: the option named, as in Python.
  const nullStep = catchCjm(() => log.funnel(['view_item', null]));
  assert.equal(nullStep.code, 'invalid_option');
  assert.match(nullStep.message, /steps.*\[1\]/);
  assert.equal(catchCjm(() => log.funnel([{ event: 'a', stage: 'b' }])).code, 'invalid_option');
  assert.equal(catchCjm(() => log.funnel([{ stage: 'purchase' }])).code, 'invalid_funnel');
  // A breakdown read at a step the funnel does not have, or without a breakdown.
  const steps = [plain.event[0], plain.event[1]];
  assert.equal(catchCjm(() => log.funnel(steps, { breakdown: 'channel', breakdown_attribution: { step: 3 } })).code, 'invalid_funnel');
  assert.equal(catchCjm(() => log.funnel(steps, { breakdown_attribution: 'last_touch' })).code, 'invalid_funnel');
  assert.equal(catchCjm(() => log.funnel(steps, { breakdown: 'channel', breakdown_attribution: 'last' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.flows({ min_share: 2 })).code, 'invalid_option');
});

test('a log bound to a template: traffic, funnels, paths, states, drivers, conformance', () => {
  const journey = template('b2c-ecommerce');
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds', journey });
  assert.equal(journey.id, 'b2c-ecommerce', 'the journey stays usable');
  const report = log.ingestReport();
  assert.deepEqual(report.unmapped_events, [{ event: 'scroll', count: 1 }]);
  const traffic = log.traffic();
  assert.deepEqual(traffic, log.traffic(journey));
  assert.equal(traffic.stages.find((s) => s.id === 'purchase').customers, 1);

  const stages = log.stageFunnel();
  assert.deepEqual(stages.steps.map((s) => s.customers), [3, 2, 1, 0, 0]);
  assert.deepEqual(log.stageFunnel(journey, { window_seconds: 100 }).steps.map((s) => s.customers), [3, 2, 0, 0, 0]);
  // No window (null): the same steps however late; the default stays 7 days.
  const unbounded = log.funnel(['ad_click', 'purchase'], { window_seconds: null });
  assert.equal(unbounded.definition.params.options.window_seconds, null);
  // Infinity is no window as well (the core reads it, as Python's math.inf).
  const infinite = log.funnel(['ad_click', 'purchase'], { window_seconds: Infinity });
  assert.equal(infinite.definition.params.options.window_seconds, null);
  assert.equal(log.funnel(['ad_click', 'purchase']).definition.params.options.window_seconds, 604800);
  const mixed = log.funnel(['ad_click', { touchpoint: 'tp-product-page' }, { stage: 'purchase' }]);
  assert.deepEqual(mixed.steps.map((s) => s.customers), [2, 1, 1]);

  const flows = log.flows({ steps: 3, min_share: 0 });
  assert.ok(flows.nodes.length > 0 && flows.links.length > 0);
  assert.equal(log.directlyFollows({ start_end: false }).nodes.length, 6);
  // The core draws the graph; its options are the core's, unknown ones refused.
  const dfg = log.directlyFollowsSvg({ title: 'Paths <all>', min_share: 0.2 });
  assert.match(dfg, /^<svg /);
  assert.ok(dfg.includes('Paths &lt;all&gt;') && dfg.includes('Directly-follows graph:'));
  assert.equal(catchCjm(() => log.directlyFollowsSvg({ min_share: 2 })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.directlyFollowsSvg({ colour: 'red' })).code, 'invalid_option');
  const states = log.journeyStates(null, { conversion: { event: 'purchase' } });
  assert.deepEqual(states.customers.map((c) => [c.customer, c.deepest_stage, c.converted]), [
    ['u1', 'purchase', true],
    ['u2', 'consideration', false],
    ['u3', 'awareness', false],
  ]);
  const drivers = log.drivers({ conversion: { event: 'purchase' }, min_support: 1 });
  assert.equal(drivers.converters, 1);
  assert.ok(drivers.drivers.length > 0);
  const conf = log.conformance();
  assert.equal(conf.customers, 3);
  assert.equal(conf.entered_late, 0);
});

test('pictures and measured inputs straight from the log (no chart or drop-off arithmetic in JS)', () => {
  const journey = template('b2c-ecommerce');
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds', journey });
  const doc = journey.toObject();
  const funnel = log.stageFunnel();
  // The funnel SVG is the core's chart of the stage funnel, labelled with the stage names.
  const svg = log.stageFunnelSvg(null, null, { title: 'Stages', width: 560 });
  assert.match(svg, /^<svg [^>]*width="560"/);
  assert.ok(svg.includes('Stages'));
  for (const s of doc.stages) assert.ok(svg.includes(s.name), s.name);
  assert.equal(log.stageFunnelSvg(), log.stageFunnelSvg(journey));
  assert.notEqual(log.stageFunnelSvg(journey, { window_seconds: 100 }), log.stageFunnelSvg());
  // With a breakdown, one small funnel per group (the share of the group's entrants).
  const grouped = log.stageFunnelSvg(null, { breakdown: 'channel' }, { title: 'By channel' });
  assert.ok(grouped.includes(' entered)') && / panels \(/.test(grouped), grouped.slice(0, 600));
  const flowsSvg = log.flowsSvg({ steps: 3, min_share: 0 }, { width: 1200 });
  assert.match(flowsSvg, /^<svg [^>]*width="1200"/);
  assert.equal(catchCjm(() => log.flowsSvg({ min_share: 2 })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.flowsSvg(null, { colour: 'red' })).code, 'invalid_option');

  // Insight inputs: each stage's drop-off is the share of its customers who do not reach
  // the next stage (the next step's drop-off rate); reach and unmapped events from traffic.
  const inputs = log.insightInputs();
  const traffic = log.traffic();
  const expectDrop = {};
  funnel.steps.slice(0, -1).forEach((s, i) => {
    const next = funnel.steps[i + 1];
    if (next.drop_off_rate !== null) expectDrop[s.step.stage] = next.drop_off_rate;
  });
  assert.deepEqual(inputs.stage_drop_off, expectDrop);
  assert.deepEqual(inputs.unmapped_events, { scroll: 1 });
  assert.equal(inputs.total_events, traffic.events);
  assert.equal(inputs.reach.stages.awareness, traffic.stages.find((s) => s.id === 'awareness').reach);
  const report = journey.insights({ as_of: '2026-01-31' }, inputs);
  assert.ok(!report.not_checked.some((n) => /drop/.test(n)), report.not_checked.join('; '));
  const health = log.healthInputs();
  assert.deepEqual(health.reach, inputs.reach);
  assert.equal(health.traffic['tp-product-page'], traffic.touchpoints.find((t) => t.id === 'tp-product-page').customers);
  assert.equal(journey.health(null, health).journey.score !== undefined, true);

  const unbound = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds' });
  for (const f of [() => unbound.stageFunnelSvg(), () => unbound.insightInputs(), () => unbound.healthInputs()]) {
    assert.equal(catchCjm(f).code, 'invalid_option');
  }
  unbound.free();
  log.free();
  journey.free();
});

test('CSV text, bytes and ArrayBuffer read the same; presets and mappings', () => {
  const csv = [
    'customer,ts,event,channel',
    ...ROWS.map((r) => `${r[0]},${new Date(r[1] * 1000).toISOString()},${r[2]},${r[3]}`),
  ].join('\n');
  const mapping = { customer: ['customer'], timestamp: 'ts', event: 'event', channel: 'channel' };
  const journey = template('b2c-ecommerce');
  const fromText = EventLog.fromCsv(csv, { mapping, journey });
  const bytes = new TextEncoder().encode(csv);
  const fromBytes = EventLog.fromCsv(bytes, { mapping, journey: journey.toObject() });
  const fromBuffer = EventLog.fromCsv(bytes.buffer, { mapping, journey: journey.toJson() });
  assert.equal(fromText.length, ROWS.length);
  for (const other of [fromBytes, fromBuffer]) {
    assert.deepEqual(other.stageFunnel(), fromText.stageFunnel());
    assert.deepEqual(other.ingestReport(), fromText.ingestReport());
  }
  const columns = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds', journey });
  assert.deepEqual(fromText.stageFunnel(), columns.stageFunnel());

  const xes = 'case:concept:name,concept:name,time:timestamp\nc1,a,2025-01-01T00:00:00Z\nc1,b,2025-01-01T00:01:00Z\n';
  assert.equal(EventLog.fromCsv(xes, { preset: 'xes' }).length, 2);
  assert.equal(catchCjm(() => EventLog.fromCsv(xes, { preset: 'ga4' })).code, 'missing_column');
  // Neither a preset nor a mapping: XES's columns are usual names (issue 15, item 4).
  assert.equal(EventLog.fromCsv(xes, {}).length, 2);
  // Named columns win over the preset's, as in Python: the preset gives the rest.
  const renamed = xes.replace('concept:name,time', 'activity,time');
  assert.equal(EventLog.fromCsv(renamed, { preset: 'xes', mapping: { event: 'activity' } }).length, 2);
  assert.equal(EventLog.fromCsv(renamed, { preset: 'xes', event: 'activity' }).length, 2);
  assert.equal(catchCjm(() => EventLog.fromCsv(renamed, { preset: 'xes' })).code, 'missing_column');
  // Named one by one (Python's keyword arguments) or as a mapping, not both.
  const flat = EventLog.fromCsv(csv, { customer: 'customer', timestamp: 'ts', event: 'event', channel: 'channel' });
  assert.deepEqual(flat.ingestReport().columns, fromText.ingestReport().columns);
  assert.equal(catchCjm(() => EventLog.fromCsv(csv, { mapping, customer: 'customer' })).code, 'invalid_option');
  assert.equal(catchCjm(() => EventLog.fromCsv(xes, { presett: 'xes' })).code, 'invalid_option');
  assert.equal(catchCjm(() => EventLog.fromCsv(42, { preset: 'xes' })).code, 'wrong_type');
});

test('ingest options mean what they mean in Python: consent, units, bare columns', () => {
  // A named consent column keeps only rows whose flag is true (by hand: 1 of 3).
  const csv = 'customer,ts,event,ok\n' +
    'c1,2025-01-01T00:00:00Z,a,yes\n' +
    'c1,2025-01-01T00:01:00Z,b,no\n' +
    'c2,2025-01-01T00:02:00Z,a,\n';
  for (const options of [
    { mapping: { customer: ['customer'], timestamp: 'ts', event: 'event', consent: 'ok' } },
    { timestamp: 'ts', consent: 'ok' },
  ]) {
    const log = EventLog.fromCsv(csv, options);
    assert.equal(log.length, 1, JSON.stringify(options));
    assert.equal(log.ingestReport().consent_filtered, 2);
  }
  // Not named: nothing filtered. `undefined` and `null` options are not given.
  assert.equal(EventLog.fromCsv(csv, { timestamp: 'ts' }).length, 3);
  assert.equal(EventLog.fromCsv(csv, { timestamp: 'ts', dedup: undefined, strict: null, extra: null }).length, 3);
  // Short unit names are the long ones.
  const columns = { customer: ['c1', 'c1'], timestamp: [1000, 2000], event: ['a', 'b'] };
  assert.deepEqual(
    EventLog.fromColumns(columns, { unit: 'ms' }).toColumns(),
    EventLog.fromColumns(columns, { unit: 'milliseconds' }).toColumns(),
  );
  // Bare arrays are not named, and their numbers carry no unit.
  for (const options of [{}, { unit: 's', preset: 'xes' }, { unit: 's', customer: 'c' }, { unit: 's', extra: ['x'] }]) {
    assert.equal(catchCjm(() => EventLog.fromColumns(columns, options)).code, 'invalid_option', JSON.stringify(options));
  }
  // Extra columns of a CSV are kept (a breakdown reads them).
  const plans = 'customer,timestamp,event,plan\nc1,2025-01-01T00:00:00Z,a,pro\nc2,2025-01-01T00:00:00Z,a,free\n';
  const byPlan = EventLog.fromCsv(plans, { extra: ['plan'] }).funnel(['a'], { breakdown: 'plan' });
  assert.deepEqual(byPlan.breakdown.map((g) => g.value).sort(), ['free', 'pro']);
});

test('pseudonymise_key replaces customer and session ids in every output', async () => {
  const { createHmac } = await import('node:crypto');
  const key = 'a key of thirty-two bytes, at least';
  const hmac = (id) => createHmac('sha256', key).update(id).digest('hex');
  const columns = {
    customer: ['alice-7731', 'alice-7731', 'bob-0042'],
    session: ['alice-7731:s1', 'alice-7731:s1', 'bob-0042:s9'],
    timestamp: [0, 60, 30],
    event: ['view', 'buy', 'view'],
    channel: ['web', 'web', 'email'],
  };
  const csv = 'customer,session,ts,event\n' +
    'alice-7731,alice-7731:s1,1970-01-01T00:00:00Z,view\n' +
    'alice-7731,alice-7731:s1,1970-01-01T00:01:00Z,buy\n' +
    'bob-0042,bob-0042:s9,1970-01-01T00:00:30Z,view\n';
  const mapping = { customer: ['customer'], timestamp: 'ts', event: 'event', session: 'session' };
  for (const log of [
    EventLog.fromColumns(columns, { unit: 'seconds', pseudonymise_key: key }),
    EventLog.fromCsv(csv, { mapping, pseudonymise_key: key }),
  ]) {
    const text = JSON.stringify([
      log.funnel(['view', 'buy'], { breakdown: 'session' }),
      log.directlyFollows(),
      log.variants(),
      log.ingestReport(),
    ]);
    for (const raw of ['alice', 'bob', '7731', '0042', 'thirty-two']) {
      assert.ok(!text.includes(raw), raw);
    }
    assert.ok(text.includes(hmac('bob-0042:s9')));
    assert.equal(log.ingestReport().pseudonymised, true);
  }
  // Without a key the raw ids are there: the check above can fail.
  const plain = EventLog.fromColumns(columns, { unit: 'seconds' });
  assert.ok(JSON.stringify(plain.funnel(['view', 'buy'], { breakdown: 'session' })).includes('alice-7731:s1'));
  assert.equal(catchCjm(() => EventLog.fromColumns(columns, { unit: 'seconds', pseudonymise_key: '' })).code, 'invalid_key');
});

test('an any_of step is satisfied by any of its events', () => {
  // By hand, as cjm-core/tests/events_bind.rs: 4, 3, 2 customers.
  const rows = [
    ['u1', 1, 'view'], ['u1', 2, 'add_to_cart'], ['u1', 3, 'buy'],
    ['u2', 1, 'view'], ['u2', 2, 'wishlist_add'], ['u2', 3, 'buy'],
    ['u3', 1, 'view'], ['u3', 3, 'buy'],
    ['u4', 1, 'view'], ['u4', 2, 'wishlist_add'],
  ];
  const log = EventLog.fromColumns(
    { customer: rows.map((r) => r[0]), timestamp: rows.map((r) => r[1]), event: rows.map((r) => r[2]) },
    { unit: 'seconds' },
  );
  const f = log.funnel(['view', { any_of: ['add_to_cart', 'wishlist_add'] }, 'buy']);
  assert.deepEqual(f.steps.map((s) => s.customers), [4, 3, 2]);
  assert.equal(catchCjm(() => log.funnel(['view', { any_of: ['wishlist_ad'] }])).code, 'unknown_event');
});

// Columns with the usual names are found without naming them, by the core's rule (exactly
// one per field); the report says which columns were read (issue 15, item 4).
test('fromCsv finds the usual column names and reports the columns it read', () => {
  const csv = 'user_id,event_time,event_name,channel\nu1,2024-03-01T10:00:00Z,catalog,email\nu1,2024-03-01T10:05:00Z,purchase,email\n';
  const used = {
    customer: ['user_id'],
    timestamp: 'event_time',
    timestamp_format: { kind: 'iso8601', assume_utc: false },
    event: 'event_name',
    channel: null,
    session: null,
    value: null,
    consent: null,
  };
  for (const log of [EventLog.fromCsv(csv), EventLog.fromCsv(csv, null), EventLog.fromCsv(csv, {})]) {
    assert.equal(log.length, 2);
    assert.deepEqual(log.ingestReport().columns, used);
  }
  // A partial mapping: the fields left out are found by their usual names.
  const withChannel = EventLog.fromCsv(csv, { mapping: { channel: 'channel' }, assume_utc: true });
  assert.deepEqual(withChannel.ingestReport().columns, {
    ...used,
    channel: 'channel',
    timestamp_format: { kind: 'iso8601', assume_utc: true },
  });
  assert.deepEqual(withChannel.attribute({ conversion_events: ['purchase'] }).channels.map((c) => c.channel), ['email']);
  // Columns given as arrays carry no names.
  const columns = EventLog.fromColumns({ customer: ['u'], timestamp: [0], event: ['a'] }, { unit: 'seconds' });
  assert.equal(columns.ingestReport().columns ?? null, null);

  const ambiguous = catchCjm(() => EventLog.fromCsv('customer_id,user_id,timestamp,event\nc,u,2024-03-01T10:00:00Z,a\n'));
  assert.equal(ambiguous.code, 'ambiguous_column');
  for (const word of ['`customer_id`', '`user_id`', 'mapping.customer']) assert.ok(ambiguous.message.includes(word), ambiguous.message);
  const missing = catchCjm(() => EventLog.fromCsv('id,when,what\n1,2024-03-01T10:00:00Z,a\n'));
  assert.equal(missing.code, 'missing_column');
  for (const word of ['`customer`', '`user_id`', '`id`, `when`, `what`', 'mapping.customer']) {
    assert.ok(missing.message.includes(word), missing.message);
  }
});

test('the ga4 preset reads the event traffic source as channel, when the export has it', () => {
  const ga4 = 'user_pseudo_id,event_name,event_timestamp,collected_traffic_source.manual_medium\n'
    + 'u1,page_view,1709283600000000,cpc\nu1,purchase,1709283660000000,\n';
  const log = EventLog.fromCsv(ga4, { preset: 'ga4' });
  assert.equal(log.ingestReport().columns.channel, 'collected_traffic_source.manual_medium');
  assert.equal(log.ingestReport().columns.value, null);
  assert.deepEqual(log.attribute({ conversion_events: ['purchase'] }).channels.map((c) => c.channel), ['cpc']);
  const bare = EventLog.fromCsv('user_pseudo_id,event_name,event_timestamp\nu1,page_view,1709283600000000\n', { preset: 'ga4' });
  assert.equal(bare.length, 1);
  assert.equal(bare.ingestReport().columns.channel, null);
});

test('retention: the core table, with its options checked and its errors coded', () => {
  // ann: a on day 0, b on day 1 (web); bob: a on day 0, nothing after. Day 1 ends the log.
  const day = 86400;
  const log = EventLog.fromColumns(
    { customer: ['ann', 'ann', 'bob'], timestamp: [10, day + 10, 20], event: ['a', 'b', 'a'], channel: ['web', null, 'ads'] },
    { unit: 'seconds' },
  );
  const r = log.retention({ start_event: 'a', return_event: ['b'], periods: 2, breakdown: 'channel' });
  assert.deepEqual(r.cohorts, [{ period_start: '1970-01-01', size: 2, retained: [2, 1, null], rates: [1, 0.5, null] }]);
  assert.deepEqual(r.mean.weighted, [1, 0.5, null]);
  assert.deepEqual(r.breakdown.map((g) => [g.value, g.customers, g.cohorts[0].retained]), [['ads', 1, [1, 0, null]], ['web', 1, [1, 1, null]]]);
  assert.equal(r.definition.kind, 'retention');
  assert.equal(r.definition.params.options.time_zone, '+00:00');
  // Defaults: any event, day periods 0 to 10.
  assert.equal(log.retention().cohorts[0].retained.length, 11);
  assert.equal(catchCjm(() => log.retention({ start_event: 'aa' })).code, 'unknown_event');
  assert.match(catchCjm(() => log.retention({ start_event: 'aa' })).message, /`a`/);
  assert.equal(log.retention({ start_event: 'aa', allow_missing_events: true }).cohorts.length, 0);
  assert.equal(catchCjm(() => log.retention({ time_zone: 'Europe/Paris' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.retention({ periods: -1 })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.retention({ periods: 1.5 })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.retention({ period: 'year' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.retention({ perod: 'week' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.retention({ breakdown: 'country' })).code, 'unknown_column');
  assert.equal(catchCjm(() => log.retention({ as_of: 'soon' })).code, 'invalid_timestamp');
  log.free();
});

test('trends: the core tables, funnel trends, the line chart, and coded errors', () => {
  // ann: a on day 0 and day 0 again, b on day 2 (web); bob: a on day 1. Days 0 to 2.
  const day = 86400;
  const log = EventLog.fromColumns(
    { customer: ['ann', 'ann', 'ann', 'bob'], timestamp: [10, 20, 2 * day + 10, day + 5], event: ['a', 'a', 'b', 'a'], channel: ['web', null, 'web', 'ads'] },
    { unit: 'seconds' },
  );
  const t = log.trends();
  assert.deepEqual(t.periods, ['1970-01-01', '1970-01-02', '1970-01-03']);
  assert.deepEqual(t.events, [
    { event: 'a', volume: [2, 1, 0], customers: [1, 1, 0] },
    { event: 'b', volume: [0, 0, 1], customers: [0, 0, 1] },
  ]);
  assert.deepEqual(t.total, { volume: [2, 1, 1], customers: [1, 1, 1] });
  assert.equal(t.definition.kind, 'trends');
  assert.equal(t.definition.params.options.time_zone, '+00:00');
  // By channel, at each event: ads {bob's a}, web {ann's first a, her b}, null {ann's second a}.
  const g = log.trends({ events: ['a'], breakdown: 'channel' });
  assert.deepEqual(g.breakdown.map((x) => [x.value, x.total.volume]), [['ads', [0, 1, 0]], ['web', [1, 0, 0]], [null, [1, 0, 0]]]);
  // Funnel a -> b within 3 days: ann enters on day 0 and converts; bob enters on day 1.
  const f = log.funnelTrends(['a', 'b'], { window_seconds: 3 * day });
  assert.deepEqual([f.entered, f.converted, f.rates], [[1, 1, 0], [1, 0, 0], [1, 0, null]]);
  assert.equal(f.definition.kind, 'funnel_trends');
  const w = log.funnelTrends(['a', 'b'], null, { period: 'week' });
  assert.deepEqual(w.periods, ['1969-12-29']);
  // Pictures.
  const svg = log.trendsSvg({}, { measure: 'customers', title: 'Daily <use>' });
  assert.match(svg, /^<svg /);
  assert.match(svg, /Daily &lt;use&gt;/);
  assert.match(log.funnelTrendsSvg(['a', 'b'], { window_seconds: 3 * day }), /100\u00a0%/);
  assert.equal(catchCjm(() => log.trendsSvg({}, { by: 'breakdown' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.trendsSvg({}, { measure: 'revenue' })).code, 'invalid_option');
  // Errors.
  assert.equal(catchCjm(() => log.trends({ events: ['c'] })).code, 'unknown_event');
  assert.deepEqual(log.trends({ events: ['c'], allow_missing_events: true }).events[0].volume, [0, 0, 0]);
  assert.equal(catchCjm(() => log.trends({ time_zone: 'Europe/Paris' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.trends({ period: 'year' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.trends({ perod: 'week' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.trends({ since: '1970-01-03', as_of: '1970-01-02' })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.trends({ breakdown: 'country' })).code, 'unknown_column');
  assert.equal(catchCjm(() => log.trends({ as_of: 'soon' })).code, 'invalid_timestamp');
  assert.equal(catchCjm(() => log.funnelTrends(['a', 'c'])).code, 'unknown_event');
  assert.equal(catchCjm(() => log.funnelTrends(['a', 'b'], null, { window: 3 })).code, 'invalid_option');
  log.free();
});

test('results carry tables() and table(name) as non-enumerable methods (cjm_core::tables)', () => {
  const log = EventLog.fromColumns({ customer: ['u1', 'u1', 'u2'], timestamp: [0, 10, 0], event: ['a', 'b', 'a'] }, { unit: 'seconds' });
  const f = log.funnel(['a', 'b']);
  assert.deepEqual(f.tables(), ['steps', 'breakdown']);
  assert.ok(!Object.keys(f).includes('table') && !JSON.stringify(f).includes('tables'));
  // The default table is the first; u1 converts in 10 s, u2 does not.
  const steps = f.table();
  assert.deepEqual(steps, f.table('steps'));
  assert.deepEqual(Object.keys(steps).slice(0, 5), ['index', 'kind', 'step', 'customers', 'pending']);
  assert.deepEqual(steps.customers, [2, 1]);
  assert.deepEqual(steps.conversion_from_previous, [1, 0.5]);
  assert.deepEqual(steps.median_seconds_from_first, [null, 10]);
  assert.deepEqual(f.table('breakdown').group, []);
  assert.equal(catchCjm(() => f.table('step')).code, 'unknown_table');
  assert.equal(catchCjm(() => f.table(3)).code, 'wrong_type');
  assert.deepEqual(log.variants(2).table().events.map((e) => e.join('>')).sort(), ['a', 'a>b']);
  log.free();
});
