// Bundles docs/demo/main.ts with esbuild and serves docs/demo on localhost.
// Usage: node scripts/demo.mjs [--build-only] [--port N]
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../docs/demo/', import.meta.url));

export async function bundleDemo() {
  await build({
    entryPoints: [join(root, 'main.ts')],
    outfile: join(root, 'dist/main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Only reached for file: URLs in Node; never in the browser.
    logLevel: 'warning',
  });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Serves docs/demo on 127.0.0.1; resolves to the server once listening. */
export function serveDemo(port = 0) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Cross-origin isolation, so the page may share WASM memory with worker threads.
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleDemo();
  if (!process.argv.includes('--build-only')) {
    const portArgument = process.argv.indexOf('--port');
    const server = await serveDemo(portArgument >= 0 ? Number(process.argv[portArgument + 1]) : 5173);
    console.log(`ntk-wasm demo: http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
  }
}
