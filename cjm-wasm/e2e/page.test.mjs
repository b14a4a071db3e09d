// End to end: the checker page (www/) in Debian's Chromium through playwright-core.
// Needs the web build (scripts/build.sh) and /usr/bin/chromium (or CHROMIUM=path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const crateDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(crateDir, '..');
const artifacts = join(crateDir, 'e2e', 'artifacts');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A tiny static server for the repository, on 127.0.0.1 and a free port. */
function serve(root) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      const file = normalize(join(root, decodeURIComponent(url.pathname)));
      if (!file.startsWith(root + sep)) throw new Error('outside the root');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server;
let browser; // a persistent BrowserContext
let profile;

before(async () => {
  server = await serve(repoRoot);
  profile = mkdtempSync(join(tmpdir(), 'cjm-e2e-'));
  // A fresh profile directory (Playwright's way of passing --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('pick a template, break it, see the problem, fix it', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  const { port } = server.address();
  await page.goto(`http://127.0.0.1:${port}/cjm-wasm/www/index.html`);
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
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'invalid.png'), fullPage: false });

  // Fix it again.
  await page.getByLabel('Journey JSON').fill(JSON.stringify(doc, null, 2));
  await page.getByText('Valid: the document passes every rule.').waitFor();
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
