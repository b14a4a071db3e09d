// End to end: the checker page (www/) in Debian's Chromium through playwright-core, at a
// 1366×768 laptop size. Needs the web build (scripts/build.sh) and /usr/bin/chromium (or
// CHROMIUM=path). Screenshots go to e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { artifacts, crateDir, start, watch } from './helpers.mjs';

const cjm = createRequire(import.meta.url)(join(crateDir, 'pkg', 'node', 'cjm_wasm.js'));

let browser; // a persistent BrowserContext
let base;
let stop;

before(async () => {
  ({ browser, base, stop } = await start());
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await stop?.();
});

test('pick a template, break it, see the problem, fix it', async () => {
  const page = await browser.newPage();
  const errors = watch(page);
  await page.goto(`${base}/cjm-wasm/www/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

  // The templates are listed; pick the second one by its accessible label.
  const options = await page.locator('#template option').allTextContents();
  assert.ok(options.length >= 3, `templates listed: ${options}`);
  const select = page.getByLabel('Template');
  await select.selectOption('b2b-saas');
  await page.getByText('Valid: the document passes every rule.').waitFor();

  // The summary shows the stages with their touchpoint counts.
  const rows = page.locator('#summary tbody tr');
  assert.ok((await rows.count()) >= 3);
  const firstRow = await rows.first().locator('td').first().textContent();
  assert.match(firstRow, /^\d+$/);
  const doc = JSON.parse(await page.getByLabel('Journey JSON').inputValue());
  assert.equal(await page.locator('#summary-title').textContent(), `${doc.name} (${doc.id}), as-is`);

  // An invalid edit: a touchpoint in a stage that does not exist.
  const broken = structuredClone(doc);
  broken.touchpoints[0].stage = 'nope';
  await page.getByLabel('Journey JSON').fill(JSON.stringify(broken, null, 2));
  const problem = page.locator('#problems li[data-code="dangling_reference"][data-path="touchpoints[0].stage"]');
  await problem.waitFor();
  assert.match(await problem.textContent(), /dangling_reference at touchpoints\[0\]\.stage: /);
  assert.match(await page.locator('#status').textContent(), /^Invalid: 1 problem\.$/);
  assert.equal(await page.locator('#health-journey').textContent(), 'No scores: fix the problems first.');
  assert.equal(await page.locator('#insights-status').textContent(), 'No insights: fix the problems first.');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'invalid.png'), fullPage: false });

  // Fix it again.
  await page.getByLabel('Journey JSON').fill(JSON.stringify(doc, null, 2));
  await page.getByText('Valid: the document passes every rule.').waitFor();
  // Every score is explained, and the count is worded right ("1 component").
  const explained = await page.locator('#health summary').allTextContents();
  assert.ok(explained.length >= 3, `${explained}`);
  for (const text of explained) assert.match(text, /^Explanation \((1 component|([02-9]|\d\d+) components)\)$/);
  assert.equal(await page.locator('#problems li').count(), 0);
  assert.ok((await rows.count()) >= 3);
  await page.screenshot({ path: join(artifacts, 'valid.png'), fullPage: false });

  // Broken JSON is shown as a problem too, not as a crash.
  await page.getByLabel('Journey JSON').fill('{"schema_version": 1,');
  await page.locator('#problems li[data-code="invalid_json"]').waitFor();

  // Keyboard: the select is reachable and changes the template.
  await select.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByText('Valid: the document passes every rule.').waitFor();

  assert.deepEqual(errors, []);
  await page.close();
});

/** mulberry32: a small seeded PRNG, so the generated log is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A CSV event log for a map: each customer enters at the first stage and moves on to the
 * next with probability `keep`, hitting 1–2 of the stage's bound events there; some noise
 * events no touchpoint binds; a few rows without a customer (rejected and reported).
 */
function generateCsv(doc, { customers = 400, seed = 7, keep = 0.72 } = {}) {
  const random = rng(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const byStage = doc.stages.map((s) =>
    doc.touchpoints.filter((t) => t.stage === s.id).flatMap((t) => t.events ?? []));
  const rows = ['customer,timestamp,event,channel'];
  const t0 = Date.UTC(2025, 0, 6, 9, 0, 0);
  for (let c = 0; c < customers; c++) {
    let t = t0 + c * 97_000;
    const id = `c${String(c).padStart(4, '0')}`;
    for (const events of byStage) {
      if (events.length === 0) break;
      for (let k = 0, n = 1 + Math.floor(random() * 2); k < n; k++) {
        t += 30_000 + Math.floor(random() * 3_600_000);
        rows.push(`${id},${new Date(t).toISOString()},${pick(events)},${pick(['web', 'app', 'email'])}`);
        if (random() < 0.2) rows.push(`${id},${new Date(t + 1000).toISOString()},scroll,web`);
      }
      if (random() > keep) break;
    }
    if (c % 97 === 0) rows.push(`,${new Date(t).toISOString()},page_view,web`);
  }
  return rows.join('\n') + '\n';
}

test('rename, see the inline problem, fix it; the map, health and insights; a CSV log in the worker', async () => {
  const page = await browser.newPage();
  const errors = watch(page);
  await page.goto(`${base}/cjm-wasm/www/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.getByLabel('Template').selectOption('b2c-ecommerce');
  await page.getByText('Valid: the document passes every rule.').waitFor();

  // The map and the emotion curve are drawn; health and insights are listed.
  await page.locator('#map svg').waitFor();
  await page.locator('#emotion svg').waitFor();
  assert.match(await page.locator('#health-journey').textContent(), /^Journey health \d+/);
  assert.ok((await page.locator('#health tbody tr').count()) >= 5);
  assert.ok((await page.locator('#insights li').count()) > 0);
  assert.ok((await page.locator('#insights li[data-code="pain_point_unaddressed"]').count()) > 0);

  // An invalid edit through the form: an empty stage name shows next to the field.
  const stageName = page.getByLabel('Stage 2 (consideration)');
  const original = await stageName.inputValue();
  await stageName.fill('');
  const fieldError = page.locator('.field-error[data-for="stages[1].name"]');
  await fieldError.filter({ hasText: 'empty_text' }).waitFor();
  assert.equal(await stageName.getAttribute('aria-invalid'), 'true');
  await page.locator('#problems li[data-code="empty_text"][data-path="stages[1].name"]').waitFor();
  assert.equal(await page.locator('#download-json').isDisabled(), true);
  await page.screenshot({ path: join(artifacts, 'inline-problem.png') });

  // Fix it with the keyboard, and rename the journey; the JSON follows.
  await stageName.focus();
  await page.keyboard.type('Browsing');
  await page.getByText('Valid: the document passes every rule.').waitFor();
  assert.equal(await stageName.getAttribute('aria-invalid'), null);
  await page.getByLabel('Journey name').fill('Web shop journey');
  await page.locator('#summary-title', { hasText: 'Web shop journey' }).waitFor();
  const doc = JSON.parse(await page.getByLabel('Journey JSON').inputValue());
  assert.equal(doc.stages[1].name, 'Browsing');
  assert.notEqual(original, 'Browsing');

  // Downloads: the edited JSON and the map SVG.
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const saved = JSON.parse(await streamText(await jsonDownload.createReadStream()));
  assert.equal(saved.name, 'Web shop journey');
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download map SVG' }).click()]);
  assert.equal(svgDownload.suggestedFilename(), 'b2c-ecommerce-map.svg');
  assert.match(await streamText(await svgDownload.createReadStream()), /^<svg [^>]*>\s*<title>Journey map: Web shop journey/);

  // A generated CSV through the file input; the worker computes the stage funnel.
  const csv = generateCsv(doc);
  const csvPath = join(artifacts, 'generated-log.csv');
  writeFileSync(csvPath, csv);
  await page.getByLabel('Event log (CSV)').setInputFiles(csvPath);
  await page.locator('#log-status.valid').waitFor({ timeout: 30_000 });
  await page.locator('#funnel-svg svg').waitFor();
  await page.locator('#flows-svg svg').waitFor();
  const shown = await page.locator('#funnel tbody tr').evaluateAll((rows) => rows.map((r) => [
    r.dataset.stage,
    Number(r.querySelector('[data-field="customers"]').textContent),
    Number(r.querySelector('[data-field="drop_off"]').textContent),
  ]));

  // The same funnel from the Node.js build on the same CSV: identical numbers.
  const journey = cjm.loadJourney(doc);
  const mapping = { customer: ['customer'], timestamp: 'timestamp', timestamp_format: { kind: 'iso8601' }, event: 'event', channel: 'channel', value: null };
  const log = cjm.EventLog.fromCsv(csv, { mapping, journey });
  const expected = log.stageFunnel().steps.map((s) => [s.step.stage, s.customers, s.drop_off]);
  assert.deepEqual(shown, expected);
  assert.ok(expected[0][1] > 300 && expected.at(-1)[1] > 0 && expected.at(-1)[1] < expected[0][1], `${expected}`);
  const report = log.ingestReport();
  assert.ok(report.rejected_total > 0 && report.unmapped_total > 0);
  assert.match(await page.locator('#ingest-summary').textContent(), new RegExp(`^${report.rows_read} rows read, ${report.rows_used} used`));
  // Health and insights now use the measured data.
  await page.getByText('Scored with the measured reach and traffic of the event log.').waitFor();
  assert.ok((await page.locator('#insights li[data-code="unmapped_events"]').count()) === 1);

  await page.locator('#log-heading').evaluate((h) => h.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(artifacts, 'event-log.png') });
  await page.screenshot({ path: join(artifacts, 'page-top.png'), clip: { x: 0, y: 0, width: 1366, height: 768 } });
  await page.screenshot({ path: join(artifacts, 'page-full.png'), fullPage: true });

  // No horizontal scrolling on a 1366-px-wide screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'page wider than the window');
  assert.deepEqual(errors, []);
  log.free();
  journey.free();
  await page.close();
});

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('the worker recovers from a trap: the failed request says internal_error, the next one runs on a fresh instance', async () => {
  const page = await browser.newPage();
  const errors = watch(page);
  await page.goto(`${base}/__blank`);
  const doc = cjm.template('b2c-ecommerce').toObject();
  const csv = generateCsv(doc, { customers: 60 });
  const replies = await page.evaluate(async ({ csv, journey }) => {
    const worker = new Worker('/cjm-wasm/www/worker.js?module=/cjm-wasm/e2e/fixtures/trap-once.js', { type: 'module' });
    const ask = (id) => new Promise((resolve) => {
      worker.onmessage = ({ data }) => resolve(data);
      const bytes = new TextEncoder().encode(csv).buffer;
      worker.postMessage({ id, type: 'analyse', csv: bytes, journey, csvOptions: { mapping: {
        customer: ['customer'], timestamp: 'timestamp', timestamp_format: { kind: 'iso8601' }, event: 'event', channel: 'channel', value: null,
      } } }, [bytes]);
    });
    const first = await ask(1);
    const second = await ask(2);
    worker.terminate();
    return [first, second];
  }, { csv, journey: JSON.stringify(doc) });
  const [first, second] = replies;
  assert.equal(first.ok, false);
  assert.equal(first.error.code, 'internal_error');
  assert.equal(first.error.name, 'RuntimeError');
  assert.equal(second.ok, true, JSON.stringify(second.error));
  const mapping = { customer: ['customer'], timestamp: 'timestamp', timestamp_format: { kind: 'iso8601' }, event: 'event', channel: 'channel', value: null };
  const expected = cjm.EventLog.fromCsv(csv, { mapping, journey: cjm.loadJourney(doc) }).stageFunnel();
  assert.deepEqual(second.result.funnel.steps.map((s) => s.customers), expected.steps.map((s) => s.customers));
  assert.deepEqual(errors, []);
  await page.close();
});

test('every picture of every template is well-formed SVG (DOMParser)', async () => {
  const page = await browser.newPage();
  const errors = watch(page);
  await page.goto(`${base}/__blank`);
  const failures = await page.evaluate(async () => {
    const cjm = await import('/cjm-wasm/pkg/web/cjm_wasm.js');
    await cjm.default();
    const out = [];
    const check = (what, text, type = 'image/svg+xml') => {
      const doc = new DOMParser().parseFromString(text, type);
      if (doc.getElementsByTagName('parsererror').length > 0) out.push(`${what}: ${doc.getElementsByTagName('parsererror')[0].textContent}`);
      else if (type === 'image/svg+xml' && doc.documentElement.localName !== 'svg') out.push(`${what}: root is ${doc.documentElement.localName}`);
      return doc;
    };
    for (const { name } of cjm.templates()) {
      const j = cjm.template(name);
      check(`${name} map`, j.mapSvg());
      check(`${name} map (no legend, narrow)`, j.mapSvg({ legend: false, width: 600, lanes: ['touchpoints', 'emotion'] }));
      check(`${name} emotion`, j.emotionSvg());
      const html = check(`${name} report`, j.reportHtml({ title: `Report <${name}> & co` }), 'text/html');
      // As XML: `outerHTML` would write a no-break space (`12\u00a0%`) as `&nbsp;`, which
      // is HTML, not XML.
      const xml = new XMLSerializer();
      for (const [i, svg] of [...html.querySelectorAll('svg')].entries()) check(`${name} report svg ${i}`, xml.serializeToString(svg));
      if (html.querySelectorAll('svg').length < 2) out.push(`${name} report: fewer than 2 pictures`);
      if (html.querySelectorAll('script').length > 0) out.push(`${name} report: has a script`);
    }
    check('funnel', cjm.funnelSvg({ title: 'A & B <funnel>', steps: [{ label: 'Visit', customers: 100 }, { label: 'Buy "now"', customers: 7 }] }));
    check('flow', cjm.flowSvg({
      columns: ['1', '2'],
      nodes: [{ id: 'a', label: 'a<b', column: 0 }, { id: 'b', label: 'b', column: 1 }, { id: 'c', label: 'c', column: 1 }],
      links: [{ source: 'a', target: 'b', value: 3 }, { source: 'a', target: 'c', value: 1 }],
    }));
    check('bars', cjm.barChartSvg({ groups: ['x', 'y'], series: [{ name: 's', values: [1, null] }], unit: '%' }));
    return out;
  });
  assert.deepEqual(failures, []);
  assert.deepEqual(errors, []);
  await page.close();
});
