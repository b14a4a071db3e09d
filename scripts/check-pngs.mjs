#!/usr/bin/env node
// Checks the PNGs that scripts/render-pngs.mjs made: each must decode as a PNG of the
// expected size and show a real picture, not a blank or error page — at least
// MIN_COLOURS distinct colours and at least 2 % of its pixels not white. Node's zlib is
// the only dependency (8-bit RGB/RGBA, non-interlaced, as Chromium writes screenshots).
//
//   node scripts/check-pngs.mjs DIR
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { inflateSync } from "node:zlib";

const MIN_COLOURS = 8;

function decode(buf) {
  const sig = "89504e470d0a1a0a";
  if (buf.subarray(0, 8).toString("hex") !== sig) throw new Error("not a PNG");
  let pos = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.subarray(pos + 4, pos + 8).toString("latin1");
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === "IHDR") {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; type = data[9]; interlace = data[12];
    } else if (kind === "IDAT") idat.push(data);
    else if (kind === "IEND") break;
    pos += 12 + len;
  }
  if (depth !== 8 || (type !== 2 && type !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG (depth ${depth}, colour type ${type}, interlace ${interlace})`);
  }
  const bpp = type === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, pixels: out };
}

const dir = resolve(process.argv[2] ?? "cjm-pictures");
let failures = 0, checked = 0;
for (const name of readdirSync(dir).sort()) {
  if (!name.endsWith(".png")) continue;
  checked++;
  try {
    const { width, height, bpp, pixels } = decode(readFileSync(join(dir, name)));
    const colours = new Set();
    let inked = 0;
    for (let i = 0; i < pixels.length; i += bpp) {
      const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (r < 235 || g < 235 || b < 235) inked++;
    }
    const share = inked / (width * height);
    const ok = colours.size >= MIN_COLOURS && share >= 0.02;
    console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${width}x${height}, ${colours.size} colours, ${(share * 100).toFixed(1)} % inked`);
    if (!ok) failures++;
  } catch (err) {
    console.log(`FAIL ${name}: ${err.message}`);
    failures++;
  }
}
if (checked === 0) { console.log(`FAIL no PNG in ${dir}`); failures++; }
console.log(`${checked - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
