// spawnWorker() without options in a page built by each bundler a user may have: esbuild (one file, and with code
// splitting), Vite, webpack, and no bundler (the package's files served as they are). Vite and webpack follow
// `new URL('../remote/host.js', import.meta.url)` and emit the worker file; esbuild does not, so the worker
// script beside the module is missing and spawnWorker starts its self-contained script instead. Each page runs
// one call in the worker and reports the result, the backend, and whether the worker file was found (404s).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without declarations
import { serveDirectory } from '../../scripts/demo.mjs';
import { checkChromium, launchChromium } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// What a user's page does: one call in the worker, then what came back.
const APP = `import { spawnWorker } from 'ntk-wasm';
try {
  const ntk = await spawnWorker();
  const product = await ntk.matmul([[1, 2]], [[3], [4]]);
  const { backend } = await ntk.backendInfo();
  document.body.dataset.result = JSON.stringify({ product: product.toArray(), backend });
  await ntk.terminate();
} catch (error) {
  document.body.dataset.result = JSON.stringify({ error: String(error) });
}
`;
const page = (script: string) => `<!doctype html><html><body><script type="module" src="${script}"></script></body></html>`;

/** Builds the app into `out` with one bundler; returns the page's path under `out`. */
type Bundle = (project: string, out: string) => Promise<string>;

const esbuildPage =
  (splitting: boolean): Bundle =>
  async (project, out) => {
    await esbuild({
      entryPoints: [join(project, 'app.js')],
      outdir: out,
      bundle: true,
      splitting,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    writeFileSync(join(out, 'index.html'), page('./app.js'));
    return 'index.html';
  };

const BUNDLERS: Record<string, { bundle: Bundle; selfContained: boolean }> = {
  'esbuild, one file': { bundle: esbuildPage(false), selfContained: true },
  'esbuild, code splitting': { bundle: esbuildPage(true), selfContained: true },
  vite: {
    selfContained: false,
    bundle: async (project, out) => {
      writeFileSync(join(project, 'index.html'), page('./app.js'));
      await viteBuild({ root: project, logLevel: 'error', configFile: false, build: { outDir: out, emptyOutDir: true, target: 'es2022', minify: false } });
      return 'index.html';
    },
  },
  webpack: {
    selfContained: false,
    bundle: async (project, out) => {
      const compiler = webpack({
        // Unminified, which builds in a fraction of the time; webpack follows new URL(…, import.meta.url) in both modes.
        mode: 'development',
        devtool: false,
        context: project,
        entry: './app.js',
        output: { path: out, filename: 'app.js' },
        resolve: { symlinks: false },
      });
      await new Promise<void>((resolve, reject) =>
        compiler.run((error, stats) => {
          compiler.close(() => undefined);
          if (error || stats?.hasErrors()) reject(error ?? new Error(stats?.toString('errors-only')));
          else resolve();
        }),
      );
      writeFileSync(join(out, 'index.html'), page('./app.js'));
      return 'index.html';
    },
  },
  'no bundler (<script type=module>, an import map)': {
    selfContained: false,
    bundle: async (_project, out) => {
      symlinkSync(join(root, 'dist'), join(out, 'ntk-wasm'), 'dir');
      writeFileSync(join(out, 'app.js'), APP);
      const importMap = JSON.stringify({ imports: { 'ntk-wasm': './ntk-wasm/index.js' } });
      writeFileSync(join(out, 'index.html'), page('./app.js').replace('<body>', `<head><script type="importmap">${importMap}</script></head><body>`));
      return 'index.html';
    },
  },
};

describe.skipIf(!checkChromium('the bundler tests'))('spawnWorker in bundled pages (Chromium)', () => {
  let browser: Browser;
  let scratch: string;
  beforeAll(async () => {
    browser = await launchChromium();
    scratch = mkdtempSync(join(tmpdir(), 'ntk-bundlers-'));
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const [name, { bundle, selfContained }] of Object.entries(BUNDLERS)) {
    it(`${name}: runs a call in the worker with no options${selfContained ? ', from the self-contained script' : ''}`, async () => {
      // A project that installed the package: node_modules/ntk-wasm is this repository (built: dist/).
      const project = join(scratch, name.replace(/\W+/g, '-'));
      const out = join(project, 'out');
      mkdirSync(join(project, 'node_modules'), { recursive: true });
      mkdirSync(out, { recursive: true });
      symlinkSync(root, join(project, 'node_modules/ntk-wasm'), 'dir');
      writeFileSync(join(project, 'app.js'), APP);
      const entry = await bundle(project, out);
      const server: Server = await serveDirectory(`${out}/`, 0);
      // What the server could not find, the worker's own requests included.
      const missing: string[] = [];
      server.on('request', (request, response) => response.on('finish', () => void (response.statusCode === 404 && missing.push(request.url ?? ''))));
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${entry}`);
        await tab.waitForFunction(() => document.body.dataset.result !== undefined, undefined, { timeout: 60_000 });
        const result = JSON.parse((await tab.evaluate(() => document.body.dataset.result))!);
        expect(result, `${name}: what the page reported`).toEqual({ product: [[11]], backend: 'wasm' });
        // The worker file beside the module: missing where the bundler did not emit it, loaded otherwise.
        expect(missing.filter((path) => path.endsWith('/remote/host.js')).length > 0, `${name}: 404s ${missing.join(', ')}`).toBe(selfContained);
        await tab.close();
      } finally {
        server.close();
      }
    }, 120_000);
  }
});
