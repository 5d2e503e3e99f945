// Bundles a minimal browser page (`ready`, `rbfKernel`, `KernelRidge`) with esbuild as a user's bundler
// would (ESM, code splitting, minified) and prints what a page downloads: the entry with the chunks it imports
// statically, and the one WASM build chunk it imports at run time, raw and gzipped. Chunks only imported on demand by
// code the page does not run (the self-contained worker copy that spawnWorker may start) are emitted but not
// downloaded, and not counted. Writes them to docs/figures.json (its
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

export async function measureBundle() {
  const dir = mkdtempSync(join(tmpdir(), 'ntk-bundle-'));
  try {
    writeFileSync(
      join(dir, 'entry.js'),
      [
        `import { ready, rbfKernel, KernelRidge } from ${JSON.stringify(join(root, 'dist/index.js'))};`,
        'await ready();',
        'const model = new KernelRidge(rbfKernel({ lengthscale: 1 }), { ridge: 1e-3 }).fit([[0], [1]], [0, 1]);',
        'console.log(model.predict([[0.5]]).data);',
      ].join('\n'),
    );
    const result = await build({
      entryPoints: [join(dir, 'entry.js')],
      outdir: join(dir, 'out'),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      metafile: true,
      logLevel: 'error',
    });
    const { outputs } = result.metafile;
    // The page: the entry and, transitively, the chunks it imports with import statements (not import()).
    const page = new Set();
    const visit = (path) => {
      if (page.has(path)) return;
      page.add(path);
      for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path);
    };
    visit(Object.keys(outputs).find((path) => resolve(path) === join(dir, 'out', 'entry.js')));
    const chunks = Object.entries(outputs).map(([path, output]) => {
      const bytes = readFileSync(path);
      const isBuild = Object.keys(output.inputs).some((input) => /builds\/\w+\.js$/.test(input));
      return { path, isBuild, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
    const code = chunks.filter((chunk) => !chunk.isBuild && page.has(chunk.path));
    // A build from before the builds were split is counted with the code.
    const oneBuild = chunks.filter((chunk) => chunk.isBuild).sort((a, b) => b.gzip - a.gzip)[0] ?? { raw: 0, gzip: 0 };
    const sum = (list, key) => list.reduce((total, chunk) => total + chunk[key], 0);
    return {
      codeRaw: sum(code, 'raw'),
      codeGzip: sum(code, 'gzip'),
      buildRaw: oneBuild.raw,
      buildGzip: oneBuild.gzip,
      pageRaw: sum(code, 'raw') + oneBuild.raw,
      pageGzip: sum(code, 'gzip') + oneBuild.gzip,
      buildChunks: chunks.filter((chunk) => chunk.isBuild).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  }
  if (!values['no-write']) {
    writeFigures('bundle', { date: today(), revision: revision(), ...size });
    updateDocuments();
  }
}
