// Shared by the end-to-end tests: a tiny static server for the repository and a headless
// Debian Chromium through playwright-core.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const crateDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(crateDir, '..');
export const artifacts = join(crateDir, 'e2e', 'artifacts');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A tiny static server for the repository, on 127.0.0.1 and a free port. */
export function serve(root) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      if (url.pathname === '/__blank') {
        // An empty page on the server's origin, for tests that import modules into it.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html lang="en"><title>blank</title><link rel="icon" href="data:,"><body></body></html>');
        return;
      }
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

/** Starts the server and a persistent headless Chromium context with a fresh profile. */
export async function start({ viewport = { width: 1366, height: 768 } } = {}) {
  const server = await serve(repoRoot);
  const profile = mkdtempSync(join(tmpdir(), 'cjm-e2e-'));
  // A fresh profile directory (Playwright's way of passing --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport,
    acceptDownloads: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  async function stop() {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }
  return { server, browser, base, stop };
}

/** Collects page errors, console errors and failed responses of a page. */
export function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  return errors;
}
