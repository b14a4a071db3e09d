// Working with a log on the Node.js build: toColumns round-trips through fromColumns with
// the same analyses, filters equal filtering the columns before ingest, samples pick the
// customers of the documented SHA-256 rule (computed here with node:crypto), and bad
// filters throw with codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cjm, catchCjm } from './helpers.mjs';

const { EventLog } = cjm;

/** A small clickstream: 40 customers, 6 events each, a channel, some values. */
function rows() {
  const names = ['visit', 'view', 'cart', 'buy'];
  const channels = ['web', 'email', null];
  const out = [];
  for (let c = 0; c < 40; c += 1) {
    for (let k = 0; k < 6; k += 1) {
      const event = names[(c * 7 + k * 3) % 4];
      out.push([`c${String(c).padStart(2, '0')}`, 1_700_000_000 + c * 100 + k * 60 + (k % 2), event,
        channels[(c + k) % 3], event === 'buy' ? c + k : null]);
    }
  }
  return out;
}

function columnsOf(rs) {
  return {
    customer: rs.map((r) => r[0]),
    timestamp: rs.map((r) => r[1]),
    event: rs.map((r) => r[2]),
    channel: rs.map((r) => r[3]),
    value: rs.map((r) => r[4]),
  };
}

function analyses(log) {
  return JSON.stringify([
    log.funnel(['visit', 'view', 'buy'], { allow_missing_events: true }),
    log.variants(5),
    log.directlyFollows(),
    log.retention({ period: 'day', periods: 2 }),
  ]);
}

const ROWS = rows();

test('toColumns round-trips through fromColumns', () => {
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds' });
  const cols = log.toColumns();
  assert.ok(cols.timestamp instanceof BigInt64Array);
  assert.equal(cols.timestamp.length, ROWS.length);
  assert.deepEqual(Object.keys(cols), ['customer', 'timestamp', 'event', 'channel', 'value']);
  assert.equal(cols.timestamp[0], 1_700_000_000n * 1_000_000_000n);
  const again = EventLog.fromColumns(cols, { unit: 'nanoseconds' });
  assert.equal(analyses(again), analyses(log));
  assert.deepEqual(again.toColumns(), cols);
  log.free();
  again.free();
});

test('integer ids come back as a BigInt64Array', () => {
  const log = EventLog.fromColumns(
    { customer: BigInt64Array.from([3n, 1n, 3n]), timestamp: [5, 1, 2], event: ['a', 'b', 'c'] },
    { unit: 'seconds' },
  );
  const cols = log.toColumns();
  assert.ok(cols.customer instanceof BigInt64Array);
  assert.deepEqual([...cols.customer], [1n, 3n, 3n]);
  assert.deepEqual(cols.event, ['b', 'c', 'a']);
  assert.equal(log.filter({ customers: [3] }).length, 2);
  // One id, or one name, where a list goes (the core's FilterOptions, as in Python).
  assert.equal(log.filter({ customers: 3 }).length, 2);
  assert.equal(log.filter({ events: 'a', drop_customers: 1 }).length, 1);
  log.free();
});

test('filters equal filtering the columns before ingest', () => {
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds' });
  const t = (s) => new Date(s * 1000).toISOString();
  const cases = [
    [{ events: ['view', 'buy'] }, (r) => ['view', 'buy'].includes(r[2])],
    [{ drop_events: ['visit'] }, (r) => r[2] !== 'visit'],
    [{ start: t(1_700_001_000), end: t(1_700_003_000) }, (r) => r[1] >= 1_700_001_000 && r[1] < 1_700_003_000],
    [{ customers: ['c01', 'c05'] }, (r) => ['c01', 'c05'].includes(r[0])],
    [{ where: { channel: ['email'] } }, (r) => r[3] === 'email'],
    [{ where_not: { channel: ['email'] }, drop_customers: ['c00'] }, (r) => r[3] !== 'email' && r[0] !== 'c00'],
  ];
  for (const [options, keep] of cases) {
    const kept = ROWS.filter(keep);
    const filtered = log.filter(options);
    const expected = EventLog.fromColumns(columnsOf(kept), { unit: 'seconds' });
    assert.ok(kept.length > 0 && kept.length < ROWS.length, JSON.stringify(options));
    assert.equal(filtered.length, kept.length);
    assert.equal(analyses(filtered), analyses(expected), JSON.stringify(options));
    const report = filtered.ingestReport();
    assert.equal(report.removed_by_operations, ROWS.length - kept.length);
    assert.equal(report.operations[0].definition.kind, 'log_filter');
    filtered.free();
    expected.free();
  }
  log.free();
});

test('samples follow the documented hash', () => {
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds' });
  const ids = [...new Set(ROWS.map((r) => r[0]))];
  const h = (seed, id) => createHash('sha256').update(`${seed}:${id}`).digest().readBigUInt64BE(0);
  for (const [fraction, seed] of [[0.25, 0], [0.5, 42], [0.8, 123456789]]) {
    const expected = ids.filter((id) => Number(h(seed, id) >> 11n) / 2 ** 53 < fraction);
    const s = log.sample({ fraction, seed });
    assert.deepEqual([...new Set(s.toColumns().customer)], expected);
    s.free();
  }
  const smallest = [...ids].sort((a, b) => (h(5, a) < h(5, b) ? -1 : 1)).slice(0, 7).sort();
  const s = log.sample({ count: 7, seed: 5 });
  assert.deepEqual([...new Set(s.toColumns().customer)], smallest);
  s.free();
  log.free();
});

test('bad filters throw with codes; an emptied log is empty', () => {
  const log = EventLog.fromColumns(columnsOf(ROWS), { unit: 'seconds' });
  for (const [options, code] of [
    [{ events: ['bye'] }, 'unknown_event'],
    [{ customers: ['nobody'] }, 'unknown_customer'],
    [{ where: { channel: ['mail'] } }, 'unknown_value'],
    [{ where: { country: ['fr'] } }, 'unknown_column'],
    [{ start: '2024-01-02', end: '2024-01-01' }, 'invalid_option'],
    [{ start: 'soon' }, 'invalid_timestamp'],
    [{ evnts: ['buy'] }, 'invalid_option'],
  ]) {
    assert.equal(catchCjm(() => log.filter(options)).code, code, JSON.stringify(options));
  }
  for (const options of [{}, { fraction: 0 }, { fraction: 0.5, count: 2 }, { count: 0 }]) {
    assert.equal(catchCjm(() => log.sample(options)).code, 'invalid_option');
  }
  const warn = console.warn;
  const warned = [];
  console.warn = (m) => warned.push(m);
  const empty = log.filter({ events: ['bye'], allow_missing: true });
  console.warn = warn;
  assert.equal(empty.length, 0);
  assert.match(warned.join('\n'), /empty_log/);
  assert.deepEqual(empty.ingestReport().warnings.map((w) => w.code), ['empty_log']);
  assert.deepEqual(empty.variants().variants, []);
  // The emptied log filtered again: its report keeps the warning, nothing is said.
  warned.length = 0;
  console.warn = (m) => warned.push(m);
  const again = empty.filter({ events: ['bye'], allow_missing: true });
  console.warn = warn;
  assert.deepEqual(warned, []);
  assert.deepEqual(again.ingestReport().warnings.map((w) => w.code), ['empty_log']);
  again.free();
  empty.free();
  log.free();
});

test('sessions open after more than the gap', () => {
  // u1 at 0, 1800 (exactly the gap: same session), 3601 (a new one); u2 at 5.
  const log = EventLog.fromColumns(
    { customer: ['u1', 'u1', 'u2', 'u1'], timestamp: [3601, 0, 5, 1800], event: ['c', 'a', 'a', 'b'] },
    { unit: 'seconds' },
  );
  const s = log.sessionize();
  assert.deepEqual(s.toColumns().session, ['u1:1', 'u1:1', 'u1:2', 'u2:1']);
  assert.equal(s.ingestReport().operations[0].definition.kind, 'log_sessionize');
  assert.deepEqual(log.sessionize({ gap_seconds: 1799 }).toColumns().session, ['u1:1', 'u1:2', 'u1:3', 'u2:1']);
  assert.equal(catchCjm(() => s.sessionize()).code, 'invalid_option');
  assert.equal(catchCjm(() => log.sessionize({ gap_seconds: 0 })).code, 'invalid_option');
  s.free();
  log.free();
});

test('byStage, byTouchpoint and relabel rename events by the map (hand-worked)', () => {
  const j = cjm.Journey.fromObject({
    schema_version: 1, id: 'j', name: 'J',
    stages: [{ id: 's1', name: 'Aware' }, { id: 's2', name: 'Consider' }, { id: 's3', name: 'Buy' }],
    channels: [{ id: 'web', name: 'Web', kind: 'online' }],
    touchpoints: [
      { id: 't1', name: 'Ad', stage: 's1', channel: 'web', events: ['ad'] },
      { id: 't2', name: 'Browse', stage: 's2', channel: 'web', events: ['view', 'search'] },
      { id: 't3', name: 'Product', stage: 's2', channel: 'web', events: ['view'] },
      { id: 't4', name: 'Checkout', stage: 's3', channel: 'web', events: ['buy'] },
    ],
  });
  // u1: ad view buy zzz; u2: view ad; u3: ad buy; u4: zzz. No touchpoint binds zzz.
  const rs = [['u1', 0, 'ad'], ['u1', 10, 'view'], ['u1', 20, 'buy'], ['u1', 30, 'zzz'],
    ['u2', 0, 'view'], ['u2', 5, 'ad'], ['u3', 0, 'ad'], ['u3', 10, 'buy'], ['u4', 0, 'zzz']];
  const log = EventLog.fromColumns({
    customer: rs.map((r) => r[0]), timestamp: rs.map((r) => r[1]), event: rs.map((r) => r[2]),
  }, { unit: 'seconds' });
  const stages = log.byStage(j);
  // u1 Aware Consider Buy, u2 Consider Aware, u3 Aware Buy; u4 leaves.
  assert.equal(stages.ingestReport().rows_used, 7);
  assert.equal(stages.ingestReport().removed_by_operations, 2);
  const nodes = stages.flows({ steps: 3, min_share: 0 }).nodes.map((n) => [n.depth, n.name, n.customers]);
  assert.deepEqual(nodes, [[0, 'Aware', 2], [0, 'Consider', 1], [1, 'Aware', 1], [1, 'Buy', 1],
    [1, 'Consider', 1], [2, 'Buy', 1]]);
  const v = log.byTouchpoint(j).variants(10).variants.map((x) => [x.events, x.customers]);
  assert.deepEqual(v, [[['Ad', 'Browse', 'Checkout'], 1], [['Ad', 'Checkout'], 1], [['Browse', 'Ad'], 1]]);
  // The log has no `search`: a labelled name it lacks is refused unless allowed.
  assert.equal(catchCjm(() => log.relabel({ labels: { ad: 'marketing', serch: 'site' } })).code, 'unknown_event');
  const mine = log.relabel({ labels: { ad: 'marketing', view: 'site', search: 'site' }, allow_missing: true });
  assert.deepEqual([...new Set(mine.toColumns().event)].sort(), ['marketing', 'site']);
  assert.equal(catchCjm(() => log.relabel({ labels: { ad: '' } })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.relabel({ labels: {} })).code, 'invalid_option');
});
