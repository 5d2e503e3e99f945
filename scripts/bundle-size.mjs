// Bundles a minimal browser page (`ready`, `rbfKernel`, `KernelRidge`) with esbuild as a user's bundler
// would (ESM, code splitting, minified) and prints what a page downloads: the entry with its shared
// chunks, and the one WASM build chunk it imports at run time, raw and gzipped.
// Usage: node scripts/bundle-size.mjs [--json]
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } }, strict: true });
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
    const chunks = Object.entries(result.metafile.outputs).map(([path, output]) => {
      const bytes = readFileSync(path);
      const isBuild = Object.keys(output.inputs).some((input) => /builds\/\w+\.js$/.test(input));
      return { path, isBuild, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
    const code = chunks.filter((chunk) => !chunk.isBuild);
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
  const size = await measureBundle();
  if (values.json) console.log(JSON.stringify(size));
  else {
    const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
    console.log(`library code: ${kB(size.codeRaw)} (${kB(size.codeGzip)} gzipped)`);
    console.log(`one WASM build chunk (of ${size.buildChunks}): ${kB(size.buildRaw)} (${kB(size.buildGzip)} gzipped)`);
    console.log(`a page downloads: ${kB(size.pageRaw)} (${kB(size.pageGzip)} gzipped)`);
  }
}
