// A catalogue of likely mistakes (issue 15) on the Node.js build: each throws a CjmError
// with a stable code and a message that names the fix (or, for an unusable input outside
// strict mode, warns), never a silent empty or zero result; no NaN or -0 in any output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { cjm, catchCjm } from './helpers.mjs';

const { EventLog } = cjm;

const SHOP = [
  'customer,timestamp,event',
  'u1,2024-03-01T10:00:00Z,catalog',
  'u1,2024-03-01T10:05:00Z,purchase',
  'u2,2024-03-01T11:00:00Z,catalog',
  'u3,2024-03-01T12:00:00Z,purchased_gift',
].join('\n');
const mapping = { customer: ['customer'], timestamp: 'timestamp', event: 'event' };
const shop = () => EventLog.fromCsv(SHOP, { mapping });

function loud(fn, code, ...words) {
  const err = catchCjm(fn);
  assert.equal(err.code, code, err.message);
  for (const w of words) assert.ok(err.message.includes(w), `\`${w}\` not in: ${err.message}`);
  return err;
}

function clean(value, at = '') {
  if (typeof value === 'number') {
    assert.ok(!Number.isNaN(value), `NaN at ${at}`);
    assert.ok(!Object.is(value, -0), `-0 at ${at}`);
  } else if (Array.isArray(value)) value.forEach((v, i) => clean(v, `${at}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) clean(v, `${at}.${k}`);
}

test('naive timestamps throw naive_timestamp naming assume_utc', () => {
  const naive = 'customer,timestamp,event\nu1,2024-03-01 10:00:00,catalog\n';
  const err = loud(() => EventLog.fromCsv(naive, { mapping }), 'naive_timestamp', 'assume_utc', '2024-03-01 10:00:00');
  assert.equal(err.row, 0);
  assert.equal(EventLog.fromCsv(naive, { mapping, assume_utc: true }).length, 1);
  const columns = { customer: ['u1'], timestamp: ['2024-03-01T10:00:00'], event: ['a'] };
  loud(() => EventLog.fromColumns(columns, { unit: 'milliseconds' }), 'naive_timestamp', 'assume_utc');
  assert.equal(EventLog.fromColumns(columns, { unit: 'milliseconds', assume_utc: true }).length, 1);
});

test('a log where no row is usable warns (throws in strict mode) with reasons and a sample', () => {
  const bad = 'customer,timestamp,event\nu1,01/03/2024 10:00,catalog\nu2,01/03/2024 11:00,view\n';
  const warned = [];
  const original = console.warn;
  console.warn = (m) => warned.push(m);
  let log;
  try {
    log = EventLog.fromCsv(bad, { mapping });
  } finally {
    console.warn = original;
  }
  assert.equal(log.length, 0);
  assert.equal(warned.length, 1);
  assert.match(warned[0], /no_rows_used/);
  assert.match(warned[0], /01\/03\/2024 10:00/);
  const report = log.ingestReport();
  assert.equal(report.warnings[0].code, 'no_rows_used');
  assert.match(report.warnings[0].message, /2 × invalid_timestamp/);
  assert.equal(report.rejected[0].sample, '01/03/2024 10:00');
  loud(() => EventLog.fromCsv(bad, { mapping, strict: true }), 'invalid_timestamp');
  // A usable log does not warn.
  console.warn = (m) => warned.push(m);
  try {
    shop();
  } finally {
    console.warn = original;
  }
  assert.equal(warned.length, 1);
});

test('gzip CSV is read transparently; a broken gzip stream says gzip', () => {
  const zipped = gzipSync(Buffer.from(SHOP));
  const log = EventLog.fromCsv(new Uint8Array(zipped), { mapping });
  assert.deepEqual(log.ingestReport(), shop().ingestReport());
  loud(() => EventLog.fromCsv(new Uint8Array(zipped.subarray(0, 40)), { mapping }), 'invalid_csv', 'gzip');
});

test('misspelt events throw unknown_event with the closest names; the opt-out is explicit', () => {
  const log = shop();
  loud(() => log.funnel(['catalog', 'purchse']), 'unknown_event', '`purchse`', '`purchase`', 'allow_missing_events');
  loud(
    () => log.funnel(['catalog', 'purchase'], { exclusions: [{ step: { event: 'refnd' }, between: [0, 1] }] }),
    'unknown_event',
    '`refnd`',
  );
  loud(() => log.drivers({ conversion: { event: 'purchse' } }), 'unknown_event', '`purchase`');
  loud(() => log.attribute({ conversion_events: ['purchse'], touch: 'event' }), 'unknown_event', '`purchase`');
  const f = log.funnel(['catalog', 'refund'], { allow_missing_events: true });
  assert.deepEqual(f.steps.map((s) => s.customers), [2, 0]);
  assert.equal(log.drivers({ conversion: { event: 'refund' }, allow_missing_events: true }).converters, 0);
});

test('attribution and breakdown by a column the log lacks throw unknown_column', () => {
  const log = shop();
  loud(() => log.attribute({ conversion_events: ['purchase'] }), 'unknown_column', 'mapping.channel', 'touch="event"');
  loud(() => log.funnel(['catalog', 'purchase'], { breakdown: 'channel' }), 'unknown_column', 'mapping.channel');
  loud(() => log.funnel(['catalog', 'purchase'], { breakdown: 'country' }), 'unknown_column', 'country');
});

test('no NaN or -0 in attribution; numpy medians by default', () => {
  const log = shop();
  clean(log.attribute({ conversion_events: ['purchase'], touch: 'event' }));
  clean(cjm.attribute([{ path: '', conversions: 2 }]));
  const seconds = [300, 300, 300, 17940, 173100, 604800];
  const columns = { customer: [], timestamp: [], event: [] };
  seconds.forEach((s, i) => {
    columns.customer.push(`c${i}`, `c${i}`);
    columns.timestamp.push(0, s);
    columns.event.push('view', 'buy');
  });
  const timed = EventLog.fromColumns(columns, { unit: 'seconds' });
  const t = timed.funnel(['view', 'buy']).steps[1].time_from_first;
  assert.deepEqual([t.median_seconds, t.p90_seconds], [9120, 388950]);
  const n = timed.funnel(['view', 'buy'], { percentile: 'nearest_rank' }).steps[1].time_from_first;
  assert.deepEqual([n.median_seconds, n.p90_seconds], [300, 604800]);
});

test('an as_of, since, start or end without an offset throws naive_timestamp unless assume_utc', () => {
  const log = shop();
  const naive = '2024-03-08T10:30:00';
  const { template } = cjm;
  const calls = {
    funnel: (o) => log.funnel(['catalog', 'purchase'], { as_of: naive, ...o }),
    funnelTrends: (o) => log.funnelTrends(['catalog', 'purchase'], null, { since: naive, ...o }),
    retention: (o) => log.retention({ as_of: naive, ...o }),
    trends: (o) => log.trends({ as_of: naive, ...o }),
    filter: (o) => log.filter({ end: naive, ...o }),
    journeyStates: (o) => log.journeyStates(template('b2c-ecommerce'), { as_of: naive, ...o }),
  };
  for (const [name, call] of Object.entries(calls)) {
    loud(() => call({}), 'naive_timestamp', 'assume_utc', naive);
    assert.doesNotThrow(() => call({ assume_utc: true }), name);
  }
  // u2 entered at 2024-03-01T11:00Z and did not buy: its 7-day window closes at
  // 2024-03-08T11:00Z, so it is pending at 10:30 UTC and not at 11:30 UTC.
  const pending = (as_of, assume_utc) =>
    log.funnel(['catalog', 'purchase'], { as_of, assume_utc }).steps[0].pending;
  assert.equal(pending(naive, true), 1);
  assert.equal(pending('2024-03-08T11:30:00', true), 0);
  assert.equal(pending('2024-03-08T10:30:00Z', false), 1);
});
