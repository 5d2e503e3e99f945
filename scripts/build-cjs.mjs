// The CommonJS entry (`require('ntk-wasm')`): one esbuild bundle of the ESM build in dist/, beside a copy
// of its declarations that TypeScript reads as CommonJS (dist/cjs/package.json says so). The WASM builds
// stay in the ESM chunks of dist/backend/wasm/builds/, loaded by dynamic import() (which CommonJS has),
// so each build ships once.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = `${dist}cjs/`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Keeps the per-build chunks and the self-contained worker as ESM files of dist/, addressed from dist/cjs/. */
const keepEsmChunks = {
  name: 'keep-esm-chunks',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\/builds\/\w+\.js$/ }, (args) => ({
      path: `../backend/wasm/builds/${args.path.split('/').pop()}`,
      external: true,
    }));
    // The self-contained worker (spawnWorker's fallback) is loaded by import() too: shipped once, as ESM.
    esbuild.onResolve({ filter: /\/generated\/workerSource\.js$/ }, () => ({ path: '../remote/generated/workerSource.js', external: true }));
  },
};

await build({
  entryPoints: [`${dist}index.js`],
  outfile: `${out}index.js`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  plugins: [keepEsmChunks],
  // spawnWorker finds the worker script (ESM, dist/remote/host.js) relative to the module's own URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});
writeFileSync(`${out}package.json`, '{ "type": "commonjs" }\n');
for (const entry of readdirSync(dist, { recursive: true })) {
  const path = join(dist, entry);
  if (!entry.endsWith('.d.ts') || path.startsWith(out)) continue;
  mkdirSync(dirname(join(out, relative(dist, path))), { recursive: true });
  copyFileSync(path, join(out, relative(dist, path)));
}
console.log('built dist/cjs (CommonJS bundle and declarations)');
