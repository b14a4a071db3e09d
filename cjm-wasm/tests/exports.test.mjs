// The package's `exports` map: `import 'cjm'` in Node.js gives the Node.js build, with
// named exports (the build is CommonJS; Node's ESM loader detects its exports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pkg from 'cjm';
import { cjm } from './helpers.mjs';

test("import 'cjm' resolves to the Node.js build with named exports", () => {
  for (const name of ['Journey', 'loadJourney', 'validate', 'templates', 'template', 'journeySchema', 'surveyKpis',
    'twoProportionTest', 'compareSegments', 'diffMaps', 'patterns', 'fromMermaid', 'funnelSvg', 'flowSvg',
    'barChartSvg', 'EventLog']) {
    assert.equal(typeof pkg[name], 'function', name);
  }
  assert.equal(pkg.Journey, cjm.Journey);
  assert.equal(pkg.template('b2c-ecommerce').schemaVersion, 1);
});
