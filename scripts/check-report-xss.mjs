#!/usr/bin/env node
// Loads the HTML reports written by `cargo run -p cjm-core --example report_xss -- DIR` in
// headless Chromium (playwright-core from cjm-wasm/node_modules) and fails if any script
// runs. Every vector in cjm-core/tests/fixtures/svg-xss-vectors.json calls alert(), so a
// script that runs shows up as a dialog. Each page is loaded, then every element of every
// SVG block is hovered and clicked (for handlers and `javascript:` links). Checked:
//
//   vector-NN.html        the report with the vector as an SVG block: no dialog
//   vector-NN-nocsp.html  the same without the Content-Security-Policy: no dialog (the SVG
//                         allow-list alone stops it)
//   ordinary.html         an ordinary report: its styles apply (print and `:target` ones
//                         included), its pictures draw, its footnote link works, and the
//                         policy refuses nothing (no console error)
//
// and, so that a pass means something, two controls: the four vectors of issue 14 put
// into pages raw (no cjm) must raise dialogs, and a script injected into the ordinary
// report runs without the policy and is refused with it.
//
//   node scripts/check-report-xss.mjs out/report-xss
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(join(repoRoot, 'cjm-wasm', 'package.json'))('playwright-core');
const dir = resolve(process.argv[2] ?? 'out/report-xss');
const vectors = JSON.parse(
  readFileSync(join(repoRoot, 'cjm-core', 'tests', 'fixtures', 'svg-xss-vectors.json'), 'utf8'),
);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const failures = [];
// What the SVG block produced (the picture, a notice, anything after them), and anything
// outside the report's <main>.
const BLOCK = 'section[id^="section-"] > :not(h2), section[id^="section-"] > * *, body > :not(main), body > :not(main) *';

/** Loads a file, pokes every element of `selector`; returns the dialogs seen. */
async function visit(file, selector = BLOCK) {
  const page = await browser.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForTimeout(50); // load handlers, SMIL animations starting at 0s
  // Over, enter, focus and click on each element, as a user would: fires handlers and
  // follows links. Run through the DevTools protocol, which the page's policy does not
  // restrict (so the policy cannot hide a handler from this check by blocking it).
  await page.evaluate((sel) => {
    for (const el of [...document.querySelectorAll(sel)].slice(0, 500)) {
      for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
        el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
      }
      el.focus?.();
      el.click?.();
    }
  }, selector).catch((e) => dialogs.push(`(evaluate failed: ${e.message.split('\n')[0]})`));
  await page.waitForTimeout(50);
  const url = page.url();
  await page.close();
  return { dialogs, url };
}

/** Runs `f` over `items`, `n` at a time. */
async function pool(items, n, f) {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    while (queue.length) await f(queue.shift());
  }));
}

const jobs = vectors.flatMap((svg, i) => ['', '-nocsp'].map((suffix) => [svg, `vector-${String(i + 1).padStart(2, '0')}${suffix}.html`]));
await pool(jobs, 4, async ([svg, name]) => {
  const { dialogs, url } = await visit(join(dir, name));
  if (dialogs.length) failures.push(`${name}: script ran (${dialogs.join(', ')}) for ${JSON.stringify(svg)}`);
  if (!url.endsWith(name)) failures.push(`${name}: navigated away to ${url}`);
});

// The ordinary report: styles from the inline sheet, pictures drawn, nothing refused.
{
  const file = join(dir, 'ordinary.html');
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const facts = await page.evaluate(() => ({
    border: getComputedStyle(document.querySelector('h2')).borderBottomStyle,
    figures: [...document.querySelectorAll('.figure svg')].map((s) => s.getBoundingClientRect().width),
    notices: document.querySelectorAll('.notice').length,
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
  }));
  // A link to a map item or a footnote highlights what it leads to (`:target`): the
  // stage heading underlined, the footnote shaded; the footnote's mark leads to it.
  await page.goto(`${pathToFileURL(file).href}#map-stage-s`, { waitUntil: 'load' });
  const stage = await page.evaluate(() => getComputedStyle(document.querySelector('#map-stage-s > text')).textDecorationLine);
  await page.click('sup.note a');
  const note = await page.evaluate(() => ({
    hash: location.hash,
    shade: getComputedStyle(document.querySelector('#note-1')).backgroundColor,
    text: document.querySelector('#note-1').textContent,
  }));
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => getComputedStyle(document.querySelector('nav')).display);
  await page.close();
  if (stage !== 'underline') failures.push(`ordinary.html: a linked map item is not highlighted (${stage})`);
  if (note.hash !== '#note-1' || note.shade !== 'rgb(255, 248, 197)' || !note.text.includes('0123456789ab')) failures.push(`ordinary.html: the definition footnote (${JSON.stringify(note)})`);
  if (printed !== 'none') failures.push(`ordinary.html: the print style sheet does not apply (nav ${printed})`);
  if (facts.border !== 'solid') failures.push(`ordinary.html: the inline style sheet did not apply (${facts.border})`);
  if (facts.figures.length < 3 || facts.figures.some((w) => !(w > 100))) failures.push(`ordinary.html: pictures not drawn (${facts.figures})`);
  if (facts.notices) failures.push('ordinary.html: a cjm picture was left out');
  if (!/script-src 'none'/.test(facts.csp)) failures.push(`ordinary.html: no script-src 'none' (${facts.csp})`);
  if (errors.length) failures.push(`ordinary.html: console errors (a refused style?): ${errors.join(' | ')}`);
}

// Controls: the detector sees script that runs, and the policy alone refuses it.
const inject = '<script>alert("inline")</script><img src="x" onerror="alert(\'handler\')">';
const ordinary = readFileSync(join(dir, 'ordinary.html'), 'utf8');
const controls = [
  // One page each: Chromium runs one `javascript:` navigation per task.
  ...vectors.slice(0, 4).map((v, i) => [`control-raw-${i + 1}.html`, `<!doctype html><body>${v}</body>`, `${i + 1}`]),
  ['control-nocsp.html', ordinary.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '').replace('</main>', `${inject}</main>`), 'handler,inline'],
  ['control-csp.html', ordinary.replace('</main>', `${inject}</main>`), ''],
];
for (const [name, html, want] of controls) {
  const file = join(dir, name);
  writeFileSync(file, html);
  const { dialogs } = await visit(file, 'body > *, body > svg *');
  if ([...new Set(dialogs)].sort().join(',') !== want) failures.push(`${name}: ${dialogs.length} dialogs (${dialogs.join(', ')}), expected ${want}`);
}

await browser.close();
const pages = readdirSync(dir).filter((f) => f.endsWith('.html')).length;
if (failures.length) {
  console.error(`report script check: ${failures.length} failure(s)\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`report script check: ${pages} pages in Chromium, no script ran (${vectors.length} vectors, with and without the policy)`);
