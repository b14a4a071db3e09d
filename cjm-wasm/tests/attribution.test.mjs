// Attribution: every case of tests/vectors/attribution/ (format in its README; the same
// comparison as cjm-core/tests/attribution_vectors.rs), and the whole result of every case
// equal to the native Rust result (examples/attribution_vectors.rs) — exactly, not within a
// tolerance. Then the API: rows as analysts keep them, a path table back, paths and
// attribution from an event log, and errors with their row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, catchCjm, repoRoot, tablesMatch } from './helpers.mjs';

const dir = join(repoRoot, 'tests', 'vectors', 'attribution');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

const close = (a, b) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));

function numOrNull(actual, expected, what) {
  if (expected === null) assert.equal(actual, null, `${what}: expected null, got ${actual}`);
  else {
    assert.equal(typeof actual, 'number', `${what}: expected ${expected}, got ${actual}`);
    assert.ok(close(actual, expected), `${what}: expected ${expected}, got ${actual}`);
  }
}

/** cjm-core/tests/attribution_vectors.rs `check`, in JavaScript. */
function check(name, r, expected) {
  assert.ok(!JSON.stringify(r).includes('NaN'), `${name}: NaN in output`);
  for (const [k, v] of Object.entries(expected.totals ?? {})) numOrNull(r.totals[k], v, `${name}: totals.${k}`);
  for (const [channel, models] of Object.entries(expected.credits ?? {})) {
    const row = r.channels.find((c) => c.channel === channel);
    assert.ok(row, `${name}: no channel ${channel}`);
    for (const [model, want] of Object.entries(models)) {
      const got = row.credits.find((c) => c.model === model);
      assert.ok(got, `${name}: no ${model} credit for ${channel}`);
      const what = `${name}: ${model} of ${channel}`;
      if (want === null) {
        assert.equal(got.conversions, null, what);
        assert.equal(got.value, null, what);
      } else {
        numOrNull(got.conversions, want[0], `${what} conversions`);
        numOrNull(got.value, want[1], `${what} value`);
      }
    }
  }
  if ('conversion_probability' in expected) {
    numOrNull(r.markov.conversion_probability, expected.conversion_probability, `${name}: P(conv)`);
  }
  for (const [channel, want] of Object.entries(expected.removal_effects ?? {})) {
    const e = r.markov.channels.find((x) => x.channel === channel);
    numOrNull(e.removal_effect, want, `${name}: RE of ${channel}`);
  }
  if (expected.transitions) {
    assert.equal(r.markov.transitions.length, expected.transitions.length, `${name}: transitions`);
    expected.transitions.forEach(([from, to, p], i) => {
      const t = r.markov.transitions[i];
      assert.equal(t.from, from, name);
      assert.equal(t.to, to, name);
      assert.ok(close(t.probability, p), `${name}: ${JSON.stringify(t)}`);
    });
  }
  for (const [k, v] of Object.entries(expected.shapley ?? {})) numOrNull(r.shapley[k], v, `${name}: shapley.${k}`);
  if (expected.ordered_shapley) {
    assert.equal(r.ordered_shapley.length, expected.ordered_shapley.length, `${name}: ordered shapley rows`);
    expected.ordered_shapley.forEach(([channel, position, conversions, value], i) => {
      const g = r.ordered_shapley[i];
      assert.equal(g.channel, channel);
      assert.equal(g.position, position);
      assert.ok(close(g.conversions, conversions) && close(g.value, value), `${name}: ${JSON.stringify(g)}`);
    });
  }
  if (expected.skipped) assert.deepEqual(r.skipped.map((s) => s.model), expected.skipped, `${name}: skipped`);
}

/** Every case of every vector file: `{name, paths, tableOptions, options, expected}`. */
function cases() {
  const out = [];
  for (const file of files) {
    const v = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    assert.ok(v.description?.length > 40, `${file}: describe the arithmetic`);
    for (const c of v.cases) {
      out.push({ name: `${file} / ${c.name}`, paths: c.paths ?? v.paths, tableOptions: v.table_options ?? null, options: c.options, expected: c.expected, tables: c.tables });
    }
  }
  return out;
}

const native = JSON.parse(execFileSync('cargo', ['run', '-q', '-p', 'cjm-wasm', '--example', 'attribution_vectors'], {
  cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'],
}));

test('every attribution vector, as the Rust runner checks it; the whole result equals native Rust', () => {
  const all = cases();
  assert.ok(all.length >= 10, 'vectors missing');
  for (const c of all) {
    const r = cjm.attribute(c.paths, c.options, c.tableOptions);
    check(c.name, r, c.expected);
    if (c.tables) assert.deepEqual(tablesMatch(r, c.tables, c.name), []);
    assert.deepStrictEqual(r, native[c.name], `${c.name}: differs from the native Rust result`);
  }
  assert.equal(Object.keys(native).length, all.length);
});

test('a path table given back (as log.paths returns it) attributes as its rows do', () => {
  for (const c of cases()) {
    if (c.tableOptions) continue;
    const fromRows = cjm.attribute(c.paths, c.options);
    // The table the rows make, given back (whole paths: repeats are kept by default).
    const rows = c.paths.map((p) => {
      const channels = p.path.trim() === '' ? [] : p.path.split('>').map((x) => x.trim());
      return { channels, ...(p.seconds_to_conversion ? { seconds_to_conversion: p.seconds_to_conversion } : {}), conversions: p.conversions ?? 0, value: p.value ?? 0, nulls: p.nulls ?? 0 };
    });
    assert.deepStrictEqual(cjm.attribute({ rows }, c.options), fromRows, c.name);
  }
});

test('rows as analysts keep them: credits per channel and model, definitions with hashes', () => {
  const rows = [
    { path: 'search > email', conversions: 1, value: 10, nulls: 1 },
    { path: 'email', conversions: 1, value: 4, nulls: 0 },
    { path: 'search > search > direct', total_conversions: 2, total_conversion_value: 6, total_null: 3 },
  ];
  const r = cjm.attribute(rows, { models: ['first', 'last', 'linear', 'markov'] });
  assert.deepEqual(r.models.map((m) => m.model), ['first', 'last', 'linear', 'markov']);
  for (const m of r.models) assert.match(m.definition.hash, /^[0-9a-f]{12}$/);
  assert.deepEqual(r.channels.map((c) => c.channel), ['direct', 'email', 'search']);
  const email = r.channels.find((c) => c.channel === 'email');
  assert.deepEqual(email.credits.find((c) => c.model === 'last'), { model: 'last', conversions: 2, value: 14, share: 0.5 });
  assert.equal(r.totals.conversions, 4);
  // The whole path by default (as channelattribution's heuristics); collapsed on request.
  const kept = cjm.attribute(rows, { models: ['linear'] });
  assert.ok(close(kept.channels.find((c) => c.channel === 'search').credits[0].conversions, 0.5 + 4 / 3));
  const collapsed = cjm.attribute(rows, { models: ['linear'] }, { collapse_repeats: true });
  assert.equal(collapsed.channels.find((c) => c.channel === 'search').credits[0].conversions, 1.5);
  // A typed result in plain objects: no Maps.
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
});

test('attribution errors: codes and rows', () => {
  let err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: 1 }, { path: 'a >  > b', conversions: 1 }]));
  assert.equal(err.code, 'invalid_path');
  assert.equal(err.row, 1);
  err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: -1 }]));
  assert.equal(err.code, 'out_of_range');
  assert.equal(err.row, 0);
  err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: 1 }], { markov_order: 9 }));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: 1 }], { modles: ['first'] }));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => cjm.attribute([{ path: 'a', conversions: 1, extra: 2 }]));
  assert.equal(err.code, 'invalid_option');
  err = catchCjm(() => cjm.attribute('a > b'));
  assert.equal(err.code, 'wrong_type');
  err = catchCjm(() => cjm.attribute({ rows: [{ channels: ['a'], conversions: Infinity }] }));
  assert.deepEqual([err.code, err.row], ['not_finite', 0]); // as in Python: the core's row check
  err = catchCjm(() => cjm.attribute({ rows: [{ channels: ['a', ''], conversions: 1 }] }));
  assert.equal(err.code, 'invalid_path');
  err = catchCjm(() => cjm.attribute({ rows: [] }, null, { separator: '|' }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /not to a `\{rows\}` path table, whose channels are already split/);
  // An object is a written table: `{rows}` and nothing else (the core's `PathsInput`).
  err = catchCjm(() => cjm.attribute({ rows: [], separator: '|' }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /unknown field `separator`/);
  err = catchCjm(() => cjm.attribute({}));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /missing field `rows`/);
  err = catchCjm(() => cjm.attribute({ path: 'a', conversions: 1 }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /unknown field `path`/);
  assert.equal(catchCjm(() => cjm.attribute(null)).code, 'wrong_type');
  assert.equal(catchCjm(() => cjm.attribute(new Map())).code, 'wrong_type');
});

test('paths and attribution from an event log', () => {
  const log = cjm.EventLog.fromColumns({
    customer: ['u1', 'u1', 'u1', 'u2', 'u2', 'u3', 'u3', 'u3'],
    event: ['ad_click', 'email_open', 'purchase', 'ad_click', 'page_view', 'email_open', 'purchase', 'ad_click'],
    channel: ['search', 'email', null, 'search', 'direct', 'email', null, 'search'],
    value: [null, null, 30, null, null, null, 12, null],
    timestamp: BigInt64Array.of(0n, 3600n, 7200n, 10n, 20n, 100n, 200n, 300n),
  }, { unit: 'seconds' });
  const paths = log.paths({ conversion_events: ['purchase'] });
  assert.deepEqual(paths.rows.map((r) => [r.channels, r.conversions, r.value, r.nulls]), [
    [['email'], 1, 12, 0],
    [['search', 'direct'], 0, 0, 1],
    [['search', 'email'], 1, 30, 0],
  ]);
  assert.deepEqual(paths.rows[2].seconds_to_conversion, [7200, 3600]);
  const r = log.attribute({ conversion_events: ['purchase'] }, { models: ['first', 'last', 'time_decay', 'markov'] });
  // The same numbers as the path table's; the definition adds the path options (its hash
  // covers every option that can change a number).
  const { definition, ...rest } = r;
  const { definition: tableDefinition, ...tableRest } = cjm.attribute(paths, { models: ['first', 'last', 'time_decay', 'markov'] });
  assert.deepStrictEqual(rest, tableRest);
  assert.deepEqual(definition.params.paths.conversion_events, ['purchase']);
  assert.equal(definition.params.paths.touch, 'channel');
  assert.notEqual(definition.hash, tableDefinition.hash);
  const credit = (ch, m) => r.channels.find((c) => c.channel === ch).credits.find((c) => c.model === m);
  assert.equal(credit('search', 'first').conversions, 1);
  assert.equal(credit('email', 'last').value, 42);
  assert.equal(r.totals.conversions, 2);
  assert.equal(catchCjm(() => log.paths({ conversion_events: [] })).code, 'invalid_option');
  assert.equal(catchCjm(() => log.attribute({ touch: 'touchpoint', conversion_events: ['purchase'] })).code, 'invalid_option');
  // Touchpoint paths with the map.
  const journey = cjm.template('b2c-ecommerce');
  const tp = log.paths({ touch: 'touchpoint', conversion_events: ['purchase'] }, journey);
  assert.ok(tp.rows.length > 0);
  assert.equal(journey.name.length > 0, true); // the journey stays usable
  journey.free();
  log.free();
});
