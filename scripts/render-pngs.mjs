#!/usr/bin/env node
// Screenshots every .svg and .html in a directory to .png with headless Chromium, to look
// at the pictures (docs/pictures.md). No dependencies.
//
//   cargo run -p cjm-core --example render -- /tmp/cjm-pictures
//   node scripts/render-pngs.mjs /tmp/cjm-pictures
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const dir = resolve(process.argv[2] ?? "cjm-pictures");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";

for (const name of readdirSync(dir).sort()) {
  if (!/\.(svg|html)$/.test(name)) continue;
  const file = join(dir, name);
  let [width, height] = [1600, 1200];
  if (name.endsWith(".svg")) {
    const m = readFileSync(file, "utf8").match(/viewBox="0 0 ([\d.]+) ([\d.]+)"/);
    if (m) [width, height] = [Math.ceil(+m[1]), Math.ceil(+m[2])];
  }
  const profile = mkdtempSync(join(tmpdir(), "cjm-chromium-"));
  const png = file.replace(/\.(svg|html)$/, ".png");
  try {
    execFileSync(chromium, [
      "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
      "--disable-background-networking", "--disable-component-update", "--no-first-run",
      `--user-data-dir=${profile}`, `--screenshot=${png}`, `--window-size=${width},${height}`,
      `file://${file}`,
    ], { stdio: "ignore" });
    console.log(`wrote ${png} (${width}x${height})`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
