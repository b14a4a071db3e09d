// End to end at scale (issue 7): a seeded 1,000,000-event GA4-style CSV (BigQuery export
// columns, event names bound by the b2c-ecommerce template's touchpoints) loaded in the
// checker page through the file input and analysed by the web worker in headless Chromium.
// The stage funnel read off the page must equal the Node.js build's on the same bytes;
// the worker's time is printed; and the main thread must stay responsive meanwhile: a
// 10-ms timer and requestAnimationFrame keep ticking while the worker runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { artifacts, crateDir, start, watch } from './helpers.mjs';

const cjm = createRequire(import.meta.url)(join(crateDir, 'pkg', 'node', 'cjm_wasm.js'));
const EVENTS = 1_000_000;

let browser;
let base;
let stop;
const csvPath = join(artifacts, 'million-events-ga4.csv');

before(async () => {
  ({ browser, base, stop } = await start());
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await stop?.();
  rmSync(csvPath, { force: true });
});

/** mulberry32: a small seeded PRNG, so the log is the same on every run. */
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
 * Exactly `events` rows of a GA4 BigQuery export (`event_timestamp` in microseconds,
 * `event_name`, `user_pseudo_id`, `event_value_in_usd`): each customer enters at the first
 * stage and moves on with probability 0.6, with 1–4 of the stage's bound events per stage,
 * plus unbound `session_start`/`scroll` noise; purchases carry a value.
 */
function ga4Csv(doc, { events = EVENTS, seed = 2026 } = {}) {
  const random = rng(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const byStage = doc.stages
    .map((s) => doc.touchpoints.filter((t) => t.stage === s.id).flatMap((t) => t.events ?? []))
    .filter((e) => e.length > 0);
  const lines = ['event_timestamp,event_name,user_pseudo_id,event_value_in_usd'];
  const t0 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z in µs
  for (let c = 0; lines.length <= events; c++) {
    const id = `${1_000_000_000 + c}.${1_700_000_000 + (c % 9973)}`;
    let t = t0 + c * 7_919_000_000;
    const push = (name, value = '') => {
      if (lines.length <= events) lines.push(`${t},${name},${id},${value}`);
    };
    push('session_start');
    for (const names of byStage) {
      for (let k = 0, n = 1 + Math.floor(random() * 4); k < n; k++) {
        t += 1_000_000 + Math.floor(random() * 1_800_000_000);
        const name = pick(names);
        push(name, name === 'purchase' ? (5 + random() * 200).toFixed(2) : '');
        if (random() < 0.15) push('scroll');
      }
      if (random() > 0.6) break;
    }
  }
  return `${lines.join('\n')}\n`;
}

test('a 1M-event GA4 CSV in the page: the worker’s stage funnel equals Node’s; the page stays responsive', async () => {
  const journey = cjm.template('b2c-ecommerce');
  const doc = journey.toObject();
  let t = performance.now();
  const csv = ga4Csv(doc);
  writeFileSync(csvPath, csv);
  console.log(`generated ${EVENTS} events (${(csv.length / 1e6).toFixed(1)} MB) in ${(performance.now() - t).toFixed(0)} ms`);

  const page = await browser.newPage();
  const errors = watch(page);
  // Before the page's scripts: note when requests go to the worker and replies come back,
  // and tick a 10-ms timer and requestAnimationFrame on the main thread throughout.
  await page.addInitScript(() => {
    const probe = { sent: [], replies: [], timer: [], frames: [] };
    window.__probe = probe;
    const Base = window.Worker;
    window.Worker = class extends Base {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', () => probe.replies.push(performance.now()));
      }

      postMessage(...args) {
        probe.sent.push(performance.now());
        return super.postMessage(...args);
      }
    };
    setInterval(() => probe.timer.push(performance.now()), 10);
    const frame = (now) => {
      probe.frames.push(now);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await page.goto(`${base}/cjm-wasm/www/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.getByLabel('Template').selectOption('b2c-ecommerce');
  await page.getByText('Valid: the document passes every rule.').waitFor();
  await page.getByLabel('Columns').selectOption('ga4');

  t = performance.now();
  await page.getByLabel('Event log (CSV)').setInputFiles(csvPath);
  await page.locator('#log-status.valid').waitFor({ timeout: 120_000 });
  const pageMillis = performance.now() - t;
  const status = await page.locator('#log-status').textContent();
  const workerMillis = Number(/analysed in (\d+) ms/.exec(status)?.[1]);
  const shown = await page.locator('#funnel tbody tr').evaluateAll((rows) => rows.map((r) => [
    r.dataset.stage,
    Number(r.querySelector('[data-field="customers"]').textContent),
    Number(r.querySelector('[data-field="drop_off"]').textContent),
  ]));
  const probe = await page.evaluate(() => window.__probe);

  // The same CSV bytes through the Node.js build: identical stage funnel.
  t = performance.now();
  const log = cjm.EventLog.fromCsv(Buffer.from(csv), { preset: 'ga4', journey });
  const expected = log.stageFunnel().steps.map((s) => [s.step.stage, s.customers, s.drop_off]);
  const report = log.ingestReport();
  const nodeMillis = performance.now() - t;
  assert.equal(report.rows_read, EVENTS);
  assert.equal(report.rows_used, EVENTS);
  assert.deepEqual(shown, expected);
  assert.ok(expected[0][1] > 100_000 && expected.at(-1)[1] > 0, JSON.stringify(expected));
  assert.match(status, new RegExp(`^million-events-ga4\\.csv: ${EVENTS} events of ${report.customers} customers`));

  // Responsiveness while the worker ran: between the request and its reply the 10-ms timer
  // and the animation frames kept coming, without long gaps.
  assert.equal(probe.sent.length, 1, 'one request to the worker');
  const [from, to] = [probe.sent[0], probe.replies[0]];
  const during = (xs) => xs.filter((x) => x >= from && x <= to);
  const maxGap = (xs) => Math.max(...[from, ...during(xs), to].map((x, i, a) => (i ? x - a[i - 1] : 0)));
  const span = to - from;
  const ticks = during(probe.timer).length;
  const frames = during(probe.frames).length;
  console.log(`worker: ${workerMillis} ms (reported), request→reply ${span.toFixed(0)} ms; ` +
    `file chosen → page updated ${pageMillis.toFixed(0)} ms; Node.js build: ${nodeMillis.toFixed(0)} ms`);
  console.log(`main thread during the worker run: ${ticks} timer ticks (10 ms; longest gap ` +
    `${maxGap(probe.timer).toFixed(0)} ms), ${frames} animation frames (longest gap ${maxGap(probe.frames).toFixed(0)} ms)`);
  assert.ok(workerMillis > 0 && workerMillis <= span + 1, `${workerMillis} vs ${span}`);
  assert.ok(ticks >= (span / 10) * 0.5, `only ${ticks} timer ticks in ${span.toFixed(0)} ms`);
  assert.ok(maxGap(probe.timer) < 250, `the main thread was blocked for ${maxGap(probe.timer).toFixed(0)} ms`);
  assert.ok(frames >= (span / 1000) * 10, `only ${frames} animation frames in ${span.toFixed(0)} ms`);
  assert.deepEqual(errors, []);
  log.free();
  journey.free();
  await page.close();
});
