// Bundles a minimal browser page (`ready`, `rbfKernel`, `KernelRidge`) with esbuild as a user's bundler
// would (ESM, code splitting, minified) and prints what a page downloads: the entry with the chunks it imports
// statically, and the one WASM build chunk it imports at run time, raw and gzipped. Chunks only imported on demand by
// code the page does not run (the self-contained worker copy that spawnWorker may start) are emitted but not
// downloaded, and not counted. Also a page that only calls spawnWorker: its entry, the self-contained worker it
// loads where the worker file is missing, and the same page as one file (gzipped). Writes them to docs/figures.json (its
// part `bundle`) and then the figures of README.md and docs/guide.md (scripts/figures.mjs); `--no-write` only prints.
// Usage: node scripts/bundle-size.mjs [--json] [--no-write]
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { kB, revision, today, updateDocuments, writeFigures } from './figures.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/**
 * Bundles `lines` (importing from dist/index.js) as one page with esbuild, minified, with code splitting or as one
 * file; gives each output chunk with its bytes, whether it is a WASM build and whether the page imports it
 * statically (the entry and, transitively, what it imports with import statements, not import()).
 */
async function bundlePage(lines, splitting) {
  const dir = mkdtempSync(join(tmpdir(), 'ntk-bundle-'));
  try {
    const library = JSON.stringify(join(root, 'dist/index.js'));
    writeFileSync(join(dir, 'entry.js'), lines.map((line) => line.replace('LIBRARY', library)).join('\n'));
    const { metafile } = await build({
      entryPoints: [join(dir, 'entry.js')],
      outdir: join(dir, 'out'),
      bundle: true,
      splitting,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      metafile: true,
      logLevel: 'error',
    });
    const { outputs } = metafile;
    const page = new Set();
    const visit = (path) => {
      if (page.has(path)) return;
      page.add(path);
      for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path);
    };
    visit(Object.keys(outputs).find((path) => resolve(path) === join(dir, 'out', 'entry.js')));
    return Object.entries(outputs).map(([path, output]) => {
      const bytes = readFileSync(path);
      const inputs = Object.keys(output.inputs);
      return {
        isBuild: inputs.some((input) => /builds\/\w+\.js$/.test(input)),
        isWorkerSource: inputs.some((input) => /generated\/workerSource\.js$/.test(input)),
        onPage: page.has(path),
        raw: bytes.length,
        gzip: gzip(bytes),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (list, key) => list.reduce((total, chunk) => total + chunk[key], 0);

/**
 * What pages download, in bytes: one that bundles ready, rbfKernel and KernelRidge (its code and the one WASM
 * build it runs), and one that only calls spawnWorker: with code splitting (the page, then, where the worker
 * file beside the module is missing, the self-contained worker and a build) and as one file.
 */
export async function measureBundle() {
  const chunks = await bundlePage(
    [
      'import { ready, rbfKernel, KernelRidge } from LIBRARY;',
      'await ready();',
      'const model = new KernelRidge(rbfKernel({ lengthscale: 1 }), { ridge: 1e-3 }).fit([[0], [1]], [0, 1]);',
      'console.log(model.predict([[0.5]]).data);',
    ],
    true,
  );
  const code = chunks.filter((chunk) => !chunk.isBuild && chunk.onPage);
  const oneBuild = chunks.filter((chunk) => chunk.isBuild).sort((a, b) => b.gzip - a.gzip)[0] ?? { raw: 0, gzip: 0 };
  const spawnOnly = ['import { spawnWorker } from LIBRARY;', 'const ntk = await spawnWorker();', 'console.log(await ntk.matmul([[1]], [[2]]));'];
  const split = await bundlePage(spawnOnly, true);
  const oneFile = await bundlePage(spawnOnly, false);
  return {
    codeRaw: sum(code, 'raw'),
    codeGzip: sum(code, 'gzip'),
    buildRaw: oneBuild.raw,
    buildGzip: oneBuild.gzip,
    pageRaw: sum(code, 'raw') + oneBuild.raw,
    pageGzip: sum(code, 'gzip') + oneBuild.gzip,
    buildChunks: chunks.filter((chunk) => chunk.isBuild).length,
    workerPageGzip: sum(
      split.filter((chunk) => chunk.onPage),
      'gzip',
    ),
    workerSourceGzip: sum(
      split.filter((chunk) => chunk.isWorkerSource),
      'gzip',
    ),
    workerOneFileGzip: sum(oneFile, 'gzip'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = { json: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false } };
  const { values } = parseArgs({ options, strict: true });
  const size = await measureBundle();
  if (values.json) console.log(JSON.stringify(size));
  else {
    console.log(`library code: ${kB(size.codeRaw)} (${kB(size.codeGzip)} gzipped)`);
    console.log(`one WASM build chunk (of ${size.buildChunks}): ${kB(size.buildRaw)} (${kB(size.buildGzip)} gzipped)`);
    console.log(`a page downloads: ${kB(size.pageRaw)} (${kB(size.pageGzip)} gzipped)`);
    console.log(
      `a page that only calls spawnWorker: ${kB(size.workerPageGzip)} gzipped; the self-contained worker ${kB(size.workerSourceGzip)}; as one file ${kB(size.workerOneFileGzip)}`,
    );
  }
  if (!values['no-write']) {
    writeFigures('bundle', { date: today(), revision: revision(), ...size });
    updateDocuments();
  }
}
