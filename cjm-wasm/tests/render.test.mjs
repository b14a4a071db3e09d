// Pictures on the Node.js build: SVG strings, the Mermaid export and import, the HTML
// report, charts from plain objects, and their option errors. (Well-formedness of every
// SVG is checked with the browser's DOMParser in e2e/page.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, catchCjm, repoRoot } from './helpers.mjs';

const { template, templates, fromMermaid, funnelSvg, flowSvg, barChartSvg, Journey } = cjm;

test('journey pictures are deterministic SVG strings', () => {
  for (const { name } of templates()) {
    const j = template(name);
    const map = j.mapSvg();
    assert.match(map, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(j.mapSvg(null), map);
    assert.equal(j.mapSvg({}), map);
    assert.notEqual(j.mapSvg({ legend: false }), map);
    assert.match(j.emotionSvg(), /^<svg /);
    const html = j.reportHtml({ title: 'Q3 <review>' });
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.ok(html.includes('Q3 &lt;review&gt;'));
    assert.ok(!/<script/i.test(html));
    j.free();
  }
  const j = template('b2c-ecommerce');
  assert.equal(catchCjm(() => j.mapSvg({ lanes: ['nope'] })).code, 'invalid_option');
  assert.equal(catchCjm(() => j.emotionSvg({ colour: 'red' })).code, 'invalid_option');
  assert.equal(catchCjm(() => j.reportHtml({ sections: 3 })).code, 'invalid_option');
});

test('Mermaid export and import round trip', () => {
  const j = template('b2c-ecommerce');
  const doc = j.toObject();
  const exported = j.toMermaid();
  assert.match(exported.text, /^journey\n/);
  assert.ok(exported.dropped.length > 0);
  const second = j.toMermaid(doc.personas[1].id);
  assert.notEqual(second.text, exported.text);
  // With survey answers, a touchpoint takes its own score: CSAT 1 (mean on 1..5) is e' = −1,
  // Mermaid score 1, whatever the map's emotions say.
  const tp = doc.touchpoints[0];
  const measured = j.toMermaid(doc.personas[0].id, { scope: [tp.id], segment: [doc.personas[0].id], csat: [1] }, { csat_method: 'mean' });
  assert.ok(measured.text.includes(`${tp.name}: 1:`), measured.text);
  assert.ok(measured.dropped.some((d) => d.startsWith('1 tasks scored from measured survey answers')));
  const { journey, notes } = fromMermaid(exported.text);
  assert.ok(journey instanceof Journey);
  assert.ok(Array.isArray(notes));
  const back = journey.toObject();
  assert.deepEqual(back.stages.map((s) => s.name), doc.stages.map((s) => s.name));
  const err = catchCjm(() => fromMermaid('graph TD\nA-->B'));
  assert.deepEqual([err.family, err.code], ['document', 'invalid_value']);
});

test('charts from plain objects', () => {
  const funnel = funnelSvg({ title: 'Checkout', steps: [{ label: 'Cart', customers: 100 }, { label: 'Paid', customers: 40 }] });
  assert.match(funnel, /^<svg /);
  assert.ok(funnel.includes('Checkout'));
  const flow = flowSvg({
    nodes: [{ id: 'a', label: 'A', column: 0 }, { id: 'b', label: 'B', column: 1 }],
    links: [{ source: 'a', target: 'b', value: 2 }],
  });
  assert.match(flow, /^<svg /);
  assert.match(barChartSvg({ groups: ['x'], series: [{ name: 's', values: [1] }] }), /^<svg /);
  // Small multiples: one panel per series, named above it.
  const panels = barChartSvg({ groups: ['x', 'y'], series: [{ name: 'first', values: [1, 2] }, { name: 'last', values: [2, 1] }], layout: 'panels' });
  assert.ok(panels.includes('2 panels (first, last)'));
  assert.equal(catchCjm(() => barChartSvg({ groups: [], series: [], layout: 'stacked' })).code, 'invalid_option');
  assert.equal(catchCjm(() => funnelSvg({ steps: [{ label: 'x', customers: -1 }] })).code, 'invalid_option');
  assert.equal(catchCjm(() => funnelSvg()).code, 'wrong_type');
  assert.equal(catchCjm(() => flowSvg({ nodes: [], links: [], extra: 1 })).code, 'invalid_option');
});

test('retentionSvg: the heat map of the core, blank where not observable', () => {
  const csv = 'customer,timestamp,event\na,2024-03-01T10:00:00Z,view\na,2024-03-02T10:00:00Z,view\nb,2024-03-01T11:00:00Z,view\nc,2024-03-02T12:00:00Z,view\n';
  const log = cjm.EventLog.fromCsv(csv, { mapping: { customer: ['customer'], timestamp: 'timestamp', event: 'event' } });
  const svg = log.retentionSvg({ periods: 2 }, { title: 'Daily retention' });
  const cells = [...svg.matchAll(/<text [^>]*text-anchor="middle">(\d+)\u00a0%<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(cells, ['100', '50', '100', '100', '50']);
  assert.equal(catchCjm(() => log.retentionSvg({}, { colour: 'red' })).code, 'invalid_option');
});

test('reportHtml builds the survey, trends and retention sections from results, as Python does', () => {
  const { template, surveyKpis } = cjm;
  const journey = template('b2c-ecommerce');
  const csv = 'customer,timestamp,event\na,2024-03-01T10:00:00Z,view\na,2024-03-02T10:00:00Z,view\nb,2024-03-01T11:00:00Z,view\nc,2024-03-02T12:00:00Z,view\n';
  const log = cjm.EventLog.fromCsv(csv, { mapping: { customer: ['customer'], timestamp: 'timestamp', event: 'event' } });
  const survey = surveyKpis({ scope: ['tp-checkout', 'tp-checkout'], nps: [10, 0], csat: [5, 2], ces: [7, 4] });
  const html = journey.reportHtml({ survey, trends: log.trends(), retention: log.retention({ periods: 2 }) });
  const titles = [...html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);
  // Each built section's definition is a footnote of the page's last section.
  assert.deepEqual(titles.slice(-4), ['Survey', 'Trends', 'Retention', 'Definitions']);
  assert.equal((html.match(/<li id="note-\d+">/g) ?? []).length, 5, 'NPS, CSAT, CES, trends, retention');
  assert.match(html, /<td>Checkout<\/td><td>touchpoint<\/td><td class="num">2<\/td>/);
  assert.ok(!html.includes('A picture was left out'));
});

/** The cells of every table row of one report section (by its class). */
function sectionRows(html, kind) {
  const start = html.indexOf(`class="${kind}">`);
  assert.ok(start >= 0, `no ${kind} section`);
  const section = html.slice(start, html.indexOf('</section>', start));
  return section
    .split('<tr>')
    .slice(1)
    .filter((row) => row.includes('<td'))
    .map((row) => [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]));
}

test('reportHtml builds health, insights, funnel, flows and attribution sections from results: the shared vector, the page of Rust and Python', () => {
  const v = JSON.parse(readFileSync(join(repoRoot, 'tests', 'vectors', 'report', 'report-sections.json'), 'utf8'));
  const journey = cjm.loadJourney(v.journey);
  const rows = v.events.rows;
  const log = cjm.EventLog.fromColumns(
    {
      customer: rows.map((r) => r[0]),
      timestamp: Float64Array.from(rows, (r) => r[1]),
      event: rows.map((r) => r[2]),
      channel: rows.map((r) => r[3]),
      value: rows.map((r) => r[4]),
    },
    { unit: 'seconds' },
  );
  const html = journey.reportHtml({
    health: journey.health(),
    insights: journey.insights({ as_of: v.insights_as_of }),
    funnel: log.funnel(v.funnel_steps, null, journey),
    flows: log.flows(),
    attribution: log.attribute({ conversion_events: v.conversion_events }, { models: v.attribution_models }),
  });
  const e = v.expect;
  assert.deepEqual([...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]), e.headings);
  // Search ad: 3 customers; Checkout: 1 of them, 33.3 %, 2 h after the ad (worked in the vector).
  assert.deepEqual(sectionRows(html, 'funnel'), e.funnel_rows);
  // First touch: email 1, search 1; last touch: email 2; linear: email 1.5, search 0.5.
  const credits = e.attribution_conversions;
  assert.deepEqual(sectionRows(html, 'attribution').slice(0, credits.length), credits);
  assert.equal(createHash('sha256').update(html, 'utf8').digest('hex'), e.html_sha256);
  // A result that does not fit is refused with the option's path.
  const err = catchCjm(() => journey.reportHtml({ funnel: { steps: 3 } }));
  assert.equal(err.code, 'invalid_option');
  assert.match(err.message, /funnel/);
  journey.free();
  log.free();
});
