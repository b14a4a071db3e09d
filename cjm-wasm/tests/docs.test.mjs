// The JavaScript snippets of docs/getting-started.md run on the Node.js build (issue 15,
// item 4): each block, its `import … from "cjm"` given the package, must run without an
// error and print what its comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cjm, repoRoot } from './helpers.mjs';

const AsyncFunction = (async () => {}).constructor;

test('every JavaScript snippet of getting-started.md runs', async () => {
  const page = readFileSync(join(repoRoot, 'docs', 'getting-started.md'), 'utf8');
  const blocks = [...page.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1);
  for (const block of blocks) {
    const code = block.replace(/^import \{([^}]*)\} from "cjm";.*$/m, 'const {$1} = cjm;');
    assert.notEqual(code, block, 'a snippet imports from "cjm"');
    const printed = [];
    await new AsyncFunction('cjm', 'console', code)(cjm, { log: (...args) => printed.push(args) });
    // `console.log(x); // value`: the value each comment promises.
    const promised = [...block.matchAll(/console\.log\(.*\);\s*\/\/\s*(\[.*\])\s*$/gm)].map((m) => JSON.parse(m[1]));
    const logged = printed.map((args) => args[0]);
    for (const value of promised) {
      assert.ok(logged.some((x) => JSON.stringify(x) === JSON.stringify(value)), `${JSON.stringify(value)} not printed: ${JSON.stringify(logged)}`);
    }
    assert.ok(promised.length >= 3);
  }
});
