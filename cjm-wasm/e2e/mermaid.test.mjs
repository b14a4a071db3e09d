// The Mermaid export of every built-in template (and of each of its personas) renders with
// the real mermaid package (pinned devDependency) in headless Debian Chromium: no error, and
// an <svg> comes out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, watch } from './helpers.mjs';

let browser;
let base;
let stop;

before(async () => {
  ({ browser, base, stop } = await start());
});

after(async () => {
  await stop?.();
});

test('mermaid renders the export of every template', async () => {
  const page = await browser.newPage();
  const errors = watch(page);
  await page.goto(`${base}/__blank`);
  const results = await page.evaluate(async () => {
    const { default: mermaid } = await import('/cjm-wasm/node_modules/mermaid/dist/mermaid.esm.min.mjs');
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const cjm = await import('/cjm-wasm/pkg/web/cjm_wasm.js');
    await cjm.default();
    const out = [];
    let n = 0;
    for (const { name } of cjm.templates()) {
      const journey = cjm.template(name);
      for (const persona of [null, ...journey.toObject().personas.map((p) => p.id)]) {
        const { text } = journey.toMermaid(persona);
        const what = `${name}${persona ? ` / ${persona}` : ''}`;
        try {
          const parsed = await mermaid.parse(text);
          const { svg } = await mermaid.render(`m${n++}`, text);
          const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
          out.push({
            what,
            type: parsed.diagramType,
            svg: doc.documentElement.localName,
            parseError: doc.getElementsByTagName('parsererror').length,
            tasks: doc.querySelectorAll('.task').length,
            syntaxError: /Syntax error/i.test(svg),
          });
        } catch (err) {
          out.push({ what, error: String(err?.message ?? err) });
        }
      }
    }
    return out;
  });
  assert.ok(results.length >= 6, `renders: ${results.length}`);
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.what}: ${r.error}`);
    assert.equal(r.type, 'journey', r.what);
    assert.equal(r.svg, 'svg', r.what);
    assert.equal(r.parseError, 0, r.what);
    assert.equal(r.syntaxError, false, r.what);
    assert.ok(r.tasks > 0, `${r.what}: no tasks drawn`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
